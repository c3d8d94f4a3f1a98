"""Random trees, packs and page maps never break the EPUB: well-formed, ids unique, every internal link lands.

The shared strategies (``strategies.py``) are extended with what the shared
layer added: inline images, language spans (well-formed tags or not),
``#fragment`` links to headings that may or may not exist, and a random page
map of the print edition (pages in any order, paths that may not exist).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.transforms import prepare
from briefpub.tree import Document, Heading, Image, Link, PackMeta, Paragraph, Publication, Span, Text
from briefpub.writers import PageStart, WriteOptions
from briefpub.writers.epub import WRITER
from samples import image_bytes
from strategies import blocks, documents, runs

STYLE = load_style("briefing")
FONTS = style_fonts(STYLE)
RESOURCES = {"a.png": image_bytes("PNG"), "b.gif": image_bytes("GIF", (8, 8))}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
X = "{http://www.w3.org/1999/xhtml}"

extra_inlines = st.one_of(
    st.builds(Image, st.sampled_from(["a.png", "b.gif", "missing.png", ""]), st.sampled_from(["", "an image"])),
    st.builds(Span, runs, st.sampled_from(["fr", "ar", "zh-Hant", "", "not a tag", "en"])),
    st.builds(Link, st.sampled_from(["#intro", "#a-b", "#nowhere", "#", "https://"]), runs),
)
extra_blocks = st.builds(Paragraph, st.lists(st.one_of(extra_inlines, st.builds(Text, st.text(max_size=10))),
                                             min_size=1, max_size=4).map(tuple))
trees = st.builds(
    lambda doc, more: prepare(Document(doc.meta, (*doc.blocks, *more))),
    documents, st.lists(st.one_of(extra_blocks, blocks), max_size=4))
paths = st.one_of(st.none(), st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple))
page_maps = st.lists(st.builds(PageStart, st.integers(1, 30), st.text(max_size=4),
                               st.one_of(st.none(), st.integers(-1, 3)), paths), max_size=12).map(tuple)


def check(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names[0] == "mimetype"
        ids: dict[str, set[str]] = {}
        hrefs: list[tuple[str, str]] = []
        for name in names:
            if name.endswith(".xhtml"):
                root = etree.fromstring(z.read(name), parser=PARSER)
                found = root.xpath("//@id")
                assert len(found) == len(set(found)), (name, found)
                ids[name.removeprefix("EPUB/")] = set(found)
                hrefs += [(name, a.get("href")) for a in root.iter(f"{X}a")]
                assert all(img.get("alt") is not None for img in root.iter(f"{X}img"))
            elif name.endswith((".opf", ".ncx")):
                etree.fromstring(z.read(name), parser=PARSER)
    for name, href in hrefs:
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, fragment = href.partition("#")
        assert file in ids, (name, href)
        assert not fragment or fragment in ids[file], (name, href)


@given(doc=trees, pages=page_maps)
def test_random_articles_and_page_maps(doc: Document, pages: tuple[PageStart, ...]) -> None:
    result = WRITER.write(Publication((doc,)), STYLE, WriteOptions(
        build_time=datetime(2020, 1, 1, tzinfo=UTC), resources=RESOURCES, fonts=FONTS, print_pages=pages))
    check(result.data)


@given(docs=st.lists(trees, min_size=1, max_size=2), pages=page_maps, summary=st.booleans())
@settings(suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow])
def test_random_packs_and_page_maps(docs: list[Document], pages: tuple[PageStart, ...], summary: bool) -> None:
    pub = Publication(tuple(docs), PackMeta(title="Pack", language="en", summary_page=summary, marking="OFFICIAL"))
    result = WRITER.write(pub, STYLE, WriteOptions(build_time=datetime(2020, 1, 1, tzinfo=UTC), resources=RESOURCES,
                                                   fonts=FONTS, print_pages=pages))
    check(result.data)


def test_heading_with_an_id_the_frame_reserves_is_renamed_by_the_transform() -> None:
    doc = Document(blocks=(Heading(2, (Text("x"),), id="title"), Paragraph((Link("#title", (Text("t"),)),))))
    data = WRITER.write(Publication((doc,)), STYLE, WriteOptions(fonts=FONTS)).data
    check(data)
