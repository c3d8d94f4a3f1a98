"""Packaging with ebooklib: manifest, spine, navigation, metadata, zip (writer stage).

The writer renders every content document itself (cover page, a pack's
contents and summary pages, one document per article, the navigation
document) from the publication's frames (:func:`~briefpub.writers.common.frames`);
ebooklib writes the container, the OPF package document (metadata, manifest,
spine, EPUB 2 guide), the NCX for older readers and the zip. Its known traps
are worked around here, each deliberately:

* content documents are given to ebooklib as finished bytes
  (:class:`_PrebuiltHtml`), because ``EpubHtml`` re-parses and pretty-prints
  content (dropping loose text, adding spaces between inlines); the navigation
  document too (:class:`_Writer` returns it instead of ebooklib's, which has no
  ``dir``, no roles on the landmarks and English headings);
* ``epub3_pages`` is off (its page-list lists every element with an
  ``epub:type`` and an id); the page list is the writer's own (``pages.py``);
* ``<package>`` gets ``xml:lang`` (ebooklib sets none);
* the identifier is deterministic, ``dcterms:modified`` is the UTC build time
  (ebooklib labels local time ``Z`` by default), and the zip is rewritten by
  :func:`~briefpub.writers._zip.normalise_zip` (fixed entry times and order,
  ``mimetype`` first and stored);
* the cover is declared the EPUB 3 way (``properties="cover-image"``) and the
  EPUB 2 way (``<meta name="cover">`` and a guide reference), and the cover
  page is the first linear spine item and a landmark, so EPUBCheck 5 finds it
  reachable;
* output goes to memory and exceptions propagate (``write_epub`` would swallow
  ``OSError`` and leave partial files).

Heading ids come from the ``ids`` transform. A tree that did not go through the
pipeline (a test, a plugin) and whose ids are missing, malformed or repeated is
given them by that same transform first, so the anchors and ``#fragment``
links are always valid; a prepared tree is left exactly as it is.
"""

from __future__ import annotations

import io
from typing import Any

from ebooklib import epub

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic
from briefpub.language import is_rtl_language
from briefpub.styling.model import StyleSheet
from briefpub.transforms.ids import MAX_ID_LENGTH, RESERVED_IDS, assign_heading_ids
from briefpub.tree import Document, Heading, Publication, iter_blocks
from briefpub.writers import WriteOptions, WriteResult, require_fonts
from briefpub.writers._zip import normalise_zip
from briefpub.writers.common.frame import Frames, frames
from briefpub.writers.common.labels import Labels
from briefpub.writers.epub.accessibility import AccessibilityChecks, accessibility_metadata
from briefpub.writers.epub.article import ArticleXhtml, Context, render_article
from briefpub.writers.epub.cover import CoverText, render_cover, render_cover_page
from briefpub.writers.epub.cover_cache import cached_cover
from briefpub.writers.epub.css import CSS_FILE, stylesheet
from briefpub.writers.epub.images import ImageStore
from briefpub.writers.epub.metadata import BookMetadata, article_language, book_metadata
from briefpub.writers.epub.nav import NavArticle, render_nav
from briefpub.writers.epub.pack_pages import render_contents_page, render_summary_page
from briefpub.writers.epub.pages import PagePlan, page_anchor, page_label, plan_pages
from briefpub.writers.epub.xhtml import XML_LANG, Language, label_prefix

__all__ = ["build_epub"]

XHTML = "application/xhtml+xml"
FOLDER = "EPUB"  # the package folder inside the zip
COVER_IMAGE = "images/cover.jpg"
COVER_PAGE = "cover.xhtml"
CONTENTS_PAGE = "contents.xhtml"
SUMMARY_PAGE = "summary.xhtml"
NAV_FILE = "nav.xhtml"


class _PrebuiltHtml(epub.EpubHtml):  # type: ignore[misc]
    """A content document whose bytes ebooklib writes exactly as given."""

    def get_content(self, default: bytes | None = None) -> bytes:
        data: bytes = self.content
        return data


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with the writer's own navigation document and ``xml:lang`` on ``<package>``."""

    def __init__(self, target: Any, book: Any, options: dict[str, Any], *, nav: bytes, language: str) -> None:
        super().__init__(target, book, options)
        self._nav = nav
        self._language = language

    def _get_nav(self, item: Any) -> bytes:
        return self._nav

    def _write_opf_file(self, root: Any) -> None:
        root.set(XML_LANG, self._language)
        super()._write_opf_file(root)


def _article_file(index: int) -> str:
    """The content document of article ``index`` (0-based)."""
    return f"article-{index + 1:03d}.xhtml"


_HEADING_ID = lazy_re(r"^[a-z][a-z0-9-]*$")


def _has_heading_ids(doc: Document) -> bool:
    """True when every heading has a valid, unique id that no structural anchor uses (a prepared tree)."""
    ids = [b.id for b in iter_blocks(doc.blocks) if isinstance(b, Heading)]
    return len(set(ids)) == len(ids) and all(
        _HEADING_ID.match(i) and len(i) <= MAX_ID_LENGTH and i not in RESERVED_IDS for i in ids
    )


def _with_heading_ids(pub: Publication) -> Publication:
    docs = tuple(doc if _has_heading_ids(doc) else assign_heading_ids(doc) for doc in pub.documents)
    if all(new is old for new, old in zip(docs, pub.documents, strict=True)):
        return pub
    return Publication(docs, pub.pack)


def _cover_text(fr: Frames, meta: BookMetadata, ctx: Context) -> CoverText:
    lang = meta.language
    if fr.pack is not None:
        pack = fr.pack
        title, subtitle = pack.title, pack.subtitle
        details = [f"{label_prefix(d.label, pack.language)}{d.value}" for d in pack.details]
    else:
        article = fr.articles[0]
        title, subtitle = article.title, article.subtitle
        details = [article.byline.date, article.byline.source]
    return CoverText(
        title=ctx.text(title.strip(), lang),
        subtitle=ctx.text(subtitle.strip(), lang),
        details=tuple(d.strip() for d in details if d.strip()),
        marking=meta.marking.strip(),
        language=lang,
        rtl=meta.rtl,
    )


def _ncx_entries(article: ArticleXhtml, prefix: str) -> list[Any]:
    """An article's headings as ebooklib ``toc`` entries nested by depth (``Link`` or ``(Link, [...])``)."""
    root: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(0, root)]
    for n, heading in enumerate(article.headings, start=1):
        while len(stack) > 1 and stack[-1][0] >= heading.depth:
            stack.pop()
        children: list[Any] = []
        link = epub.Link(f"{article.file_name}#{heading.anchor}", heading.text, f"{prefix}-h{n}")
        stack[-1][1].append((link, children))
        stack.append((heading.depth, children))
    return _collapse(root)


def _collapse(entries: list[Any]) -> list[Any]:
    """Turn ``(link, [])`` into ``link``: ebooklib would write an empty (invalid) ``<ol>``."""
    return [(link, _collapse(children)) if children else link for link, children in entries]


def _page_source(fr: Frames, meta: BookMetadata, plan: PagePlan) -> str:
    """``pageBreakSource``: the print edition the page list follows, as precisely as it can be named."""
    pages = max(start.page for start, _ in plan.ordered)
    parts = [f"{meta.title}, PDF edition"]
    if fr.pack is not None:
        parts += [f"{d.label} {d.value}" for d in fr.pack.details if d.key in ("reference", "version")]
    parts += [f"{pages} pages", f"built {meta.modified.strftime('%Y-%m-%dT%H:%M:%SZ')}"]
    return ", ".join(parts)


def _printed_starts(plan: PagePlan, count: int, labels: Labels) -> list[str]:
    """For each article, "Page 7 of 24": the printed page its first marker stands for ("" without one)."""
    if plan.empty:
        return [""] * count
    total = max(start.page for start, _ in plan.ordered)
    first: dict[int, str] = {}
    for start, document in plan.ordered:
        if document is not None:
            first.setdefault(document, labels.page_footer(page_label(start), total))
    return [first.get(n, "") for n in range(count)]


def _add_metadata(book: Any, meta: BookMetadata, options: WriteOptions, a11y: list[tuple[str, str]]) -> None:
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    if meta.rtl:
        book.set_direction("rtl")
    book.set_unique_metadata("OPF", "generator", "", {"name": "generator", "content": options.generator})
    for n, name in enumerate(meta.creators, start=1):
        book.add_author(name, role="aut", uid=f"creator-{n}")
    for name in meta.contributors:
        book.add_metadata("DC", "contributor", name)
    if meta.date:
        book.add_metadata("DC", "date", meta.date)
    if meta.publisher:
        book.add_metadata("DC", "publisher", meta.publisher)
    for source in meta.sources:
        book.add_metadata("DC", "source", source)
    if meta.description:
        book.add_metadata("DC", "description", meta.description)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if meta.marking:
        book.add_metadata(None, "meta", meta.marking, {"property": "dcterms:accessRights"})
    english = meta.language.lower().split("-")[0] == "en"
    for prop, value in a11y:
        attrib = {"property": prop}
        if prop == "schema:accessibilitySummary" and not english:
            attrib[XML_LANG] = "en"  # the summary is written in English
        book.add_metadata(None, "meta", value, attrib)


def build_epub(pub: Publication, style: StyleSheet, options: WriteOptions) -> WriteResult:
    """Lay out ``pub`` as an EPUB 3 (with NCX) and return its deterministic bytes."""
    fonts = require_fonts(options)
    pub = _with_heading_ids(pub)
    fr = frames(pub, style)
    meta = book_metadata(pub, style, options.build_time, fr)
    checks = AccessibilityChecks()
    diagnostics: list[Diagnostic] = []
    if meta.language_replaced:
        diagnostics.append(Diagnostic(
            "writer.metadata", f"the language tag is not well-formed BCP 47; {meta.language!r} was used instead"))
        checks.problem("the publication's language tag is not well-formed")
    page = Language(meta.language, meta.rtl)
    ctx = Context(style=style, images=ImageStore(options.resources, diagnostics), checks=checks, file_of=_article_file,
                  css=CSS_FILE)
    plan = plan_pages(options.print_pages, pub.documents, in_pack=pub.pack is not None)

    articles: list[ArticleXhtml] = []
    for frame in fr.articles:
        tag, replaced = article_language(frame.document, style)
        if replaced and pub.pack is not None:
            ctx.diagnostics.append(Diagnostic(
                "writer.metadata", f"the language tag {frame.document.meta.language!r} of {frame.title!r} is not "
                "well-formed BCP 47; the default was used"))
            checks.problem("an article's language tag is not well-formed")
        last = fr.pack is not None and frame.index == len(fr.articles) - 1
        articles.append(render_article(
            frame, ctx, language=Language(tag, is_rtl_language(tag)), marks=plan.marks(frame.index),
            dates=page if fr.pack is not None else None,
            end_mark=fr.pack.end_mark if last and fr.pack is not None else ""))

    cover_text = _cover_text(fr, meta, ctx)
    cover = cached_cover(cover_text, style, fonts, options.cache, render=render_cover)
    checks.image(cover_text.alt)
    labels = fr.labels

    book = epub.EpubBook()
    book.FOLDER_NAME = FOLDER
    book.add_item(epub.EpubItem(uid="css", file_name=CSS_FILE, media_type="text/css",
                                content=stylesheet(style).encode("utf-8")))
    # book.set_cover(COVER_IMAGE, cover.jpeg, create_page=False), with the media type given: ebooklib would
    # guess it with mimetypes, whose first use reads the system's mime.types (~10 ms of a cold start).
    cover_image = epub.EpubCover(file_name=COVER_IMAGE)
    cover_image.media_type = "image/jpeg"
    cover_image.content = cover.jpeg
    book.add_item(cover_image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
    cover_page = _PrebuiltHtml(uid="cover", file_name=COVER_PAGE, media_type=XHTML, title=labels.cover,
                               lang=meta.language)
    cover_page.content = render_cover_page(title=cover_text.title or labels.cover, image_file=COVER_IMAGE,
                                           alt=cover_text.alt, lang=page, css=CSS_FILE)
    book.add_item(cover_page)

    languages = [a.language for a in articles]
    front: list[Any] = []
    toc: list[Any] = []
    nav_front: list[tuple[str, str]] = []
    if fr.pack is not None:
        pack = fr.pack
        summary_file = SUMMARY_PAGE if pack.summary_page else None
        pages = [("contents", CONTENTS_PAGE, pack.contents_label, render_contents_page(
            pack, ctx, page=page, languages=languages, headings=[a.headings for a in articles],
            summary_file=summary_file, marks=plan.front, printed=_printed_starts(plan, len(articles), labels)))]
        if summary_file is not None:
            pages.append(("summary", SUMMARY_PAGE, pack.summary_label,
                          render_summary_page(pack, ctx, page=page, languages=languages)))
            toc.append(epub.Link(SUMMARY_PAGE, pack.summary_label, "toc-summary"))
            nav_front.append((SUMMARY_PAGE, pack.summary_label))
        for uid, file_name, title, data in pages:
            item = _PrebuiltHtml(uid=uid, file_name=file_name, media_type=XHTML, title=title, lang=meta.language)
            item.content = data
            book.add_item(item)
            front.append(item)

    items = []
    for n, article in enumerate(articles, start=1):
        item = _PrebuiltHtml(uid=f"article-{n:03d}", file_name=article.file_name, media_type=XHTML,
                             title=article.title)
        item.content = article.data
        book.add_item(item)
        items.append(item)
        link = epub.Link(article.file_name, article.title, f"toc-article-{n:03d}")
        sub = _ncx_entries(article, f"toc-article-{n:03d}")
        toc.append((link, sub) if sub else link)
    for asset in ctx.images.assets.values():
        book.add_item(epub.EpubImage(uid=asset.uid, file_name=asset.file_name, media_type=asset.media_type,
                                     content=asset.data))

    page_source = _page_source(fr, meta, plan) if not plan.empty else ""
    a11y, claimed = accessibility_metadata(checks, certified_by=style.accessibility.certified_by,
                                           page_list=not plan.empty, page_source=page_source)
    if style.accessibility.certified_by.strip() and not claimed:
        diagnostics.append(Diagnostic(
            "writer.metadata", "no accessibility conformance was claimed although an evaluator is named: "
            + "; ".join(checks.failures())))
    _add_metadata(book, meta, options, a11y)

    landmarks = [("cover", COVER_PAGE, labels.cover)]
    if fr.pack is not None:
        landmarks.append(("toc", CONTENTS_PAGE, fr.pack.contents_label))
    landmarks.append(("bodymatter", articles[0].file_name, articles[0].title))
    page_list = [
        (page_label(start),
         f"{CONTENTS_PAGE if document is None else _article_file(document)}#{page_anchor(start)}")
        for start, document in plan.ordered
    ]
    nav_bytes = render_nav(
        page=page, title=labels.contents, css=CSS_FILE, front=nav_front,
        articles=[NavArticle(a.file_name, a.title, a.language, a.headings) for a in articles],
        landmarks=landmarks, page_list_label=labels.pages, page_list=page_list)
    nav = epub.EpubNav(uid="nav", file_name=NAV_FILE, title=labels.contents, direction="rtl" if meta.rtl else None)
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.toc = toc
    book.spine = [cover_page, *front, *items]
    book.guide = [
        {"type": "cover", "href": COVER_PAGE, "title": labels.cover},
        *([{"type": "toc", "href": CONTENTS_PAGE, "title": fr.pack.contents_label}] if fr.pack is not None else []),
        {"type": "text", "href": items[0].file_name, "title": articles[0].title},
    ]

    buffer = io.BytesIO()
    writer = _Writer(buffer, book, {
        "epub3_pages": False,
        "epub3_landmark": True,
        "epub2_guide": True,
        "mtime": meta.modified,
        "raise_exceptions": True,
        "compresslevel": 0,  # normalise_zip compresses every entry again
    }, nav=nav_bytes, language=meta.language)
    writer.process()
    writer.write()
    # Images are already compressed: store them rather than deflate them again.
    stored = ["mimetype", f"{FOLDER}/{COVER_IMAGE}", *(f"{FOLDER}/{a.file_name}" for a in ctx.images.assets.values())]
    data = normalise_zip(buffer.getvalue(), options.build_time, first=["mimetype"], stored=stored)
    return WriteResult(data, (*diagnostics, *ctx.diagnostics), fonts=cover.fonts)

