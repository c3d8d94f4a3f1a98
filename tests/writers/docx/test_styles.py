"""Word styles (``briefpub.writers.docx.styles``): the configured part kept per context is what
configuring gives, and documents made from it cannot change it."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from lxml import etree

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.tree import Document, Meta, Paragraph, Publication, Text
from briefpub.writers import WriteOptions, get_writer
from briefpub.writers.docx import styles


def _styles_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/styles.xml")


def test_the_kept_styles_part_is_the_configured_one_and_stays_unchanged() -> None:
    sheet = load_style()
    options = WriteOptions(build_time=datetime(2024, 5, 6, tzinfo=UTC), fonts=style_fonts(sheet))
    pub = Publication((Document(Meta(title="Styles"), (Paragraph((Text("Body text."),)),)),))
    writer = get_writer("docx")
    styles._CONFIGURED.clear()
    fresh = writer.write(pub, sheet, options).data  # configured, then kept
    (kept,) = styles._CONFIGURED.values()
    before = etree.tostring(kept)
    again = writer.write(pub, sheet, options).data  # from the kept part
    assert again == fresh
    assert _styles_xml(again) == _styles_xml(fresh)
    assert etree.tostring(kept) == before  # the document got a copy
