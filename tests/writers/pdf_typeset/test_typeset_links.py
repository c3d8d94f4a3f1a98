"""A link set over many lines: one annotation per line, all sharing one URI action; the file grows linearly.

A 600 KB Markdown file with one long link used to make a 627 MB PDF: every
line's annotation carried its own copy of the URL (and of the link text as
``/Contents``). Sizes are compared for 1x, 4x and 16x the link (URL and text,
random so compression cannot hide copies).
"""

from __future__ import annotations

import io
import random
import string
from datetime import UTC, datetime

import pikepdf

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.tree import Document, Link, Meta, Paragraph, Publication, Text
from briefpub.writers import WriteOptions
from briefpub.writers.pdf import WRITER
from briefpub.writers.pdf.typeset.render import DESCRIPTION_MAX, link_description
from pdfstructure import assert_tagged

STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)
BUILD = datetime(2017, 1, 23, tzinfo=UTC)


def _link_pdf(scale: int) -> bytes:
    rnd = random.Random(scale)
    alphabet = string.ascii_letters + string.digits
    url = "https://example.org/" + "".join(rnd.choice(alphabet) for _ in range(2000 * scale))
    words = " ".join("".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(2, 9)))
                     for _ in range(300 * scale))
    doc = Document(Meta(title="One long link", language="en"),
                   (Paragraph((Text("Before "), Link(url, (Text(words),)), Text(" after."))),))
    return WRITER.write(Publication((doc,)), STYLE, WriteOptions(build_time=BUILD, fonts=FONTS)).data


def test_a_long_link_makes_a_pdf_that_grows_linearly() -> None:
    sizes = {scale: len(_link_pdf(scale)) for scale in (1, 4, 16)}
    # the link (URL and text) grows 4x per step; fixed costs (fonts) make the ratio smaller than 4
    assert sizes[16] / sizes[4] < 6, sizes
    assert sizes[4] / sizes[1] < 6, sizes


def test_every_line_of_a_link_points_to_one_shared_action_and_stays_tagged() -> None:
    data = _link_pdf(4)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        links = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert len(links) > 10  # one per line of the link's text
        assert len({a.A.objgen for a in links}) == 1 and links[0].A.is_indirect
        assert len(str(links[0].A.URI)) == len("https://example.org/") + 8000
        assert all(0 < len(str(a.Contents)) <= DESCRIPTION_MAX for a in links)
        assert len({a.StructParent for a in links}) == len(links)  # each its own OBJR
    assert_tagged(data)


def test_a_link_description_is_cut_and_whitespace_collapsed() -> None:
    assert link_description("  a\n b ") == "a b"
    long = link_description("x" * 1000)
    assert len(long) == DESCRIPTION_MAX and long.endswith("\u2026")
