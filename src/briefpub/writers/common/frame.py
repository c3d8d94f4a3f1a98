"""The article and pack frame: everything printed around the article text, decided once.

A writer renders a publication as its **frame** plus the article bodies. The
frame is computed here from the tree, the style sheet and the label catalogue,
so the PDF, EPUB and DOCX writers print the same labels, the same details in
the same order, the same dates and the same anchors:

* :class:`ArticleFrame`: title (or "Untitled"), standfirst, byline (names,
  role, date, outlet with its link), key points, marking and portion marking,
  running header, source attribution rows, the heading outline with anchors
  and depths, the lede sentence, and the link policy bound to the article
  (:meth:`ArticleFrame.resolve`).
* :class:`PackFrame`: cover details (date, reference, version, compiled by),
  contents and summary labels, summary entries (key points, or the marked
  lede of an article that has none), the blank-page note, the end mark and the
  footer template with the pack's reference and version.

Dates are printed one way per publication: a date that parses is formatted in
the publication's language (a pack's articles all in the pack's language);
one that does not parse is printed as written. Adding a field to the cover is
one change: :meth:`PackFrame.build`'s ``details`` list.

Anchors: an article's headings keep the ids the ``ids`` transform gave them
(unique within the article); in a pack each is prefixed ``a<number>-``. The
structural anchors (``article``, ``article-<n>``, ``cover``, ``contents``,
``summary``) can never equal a heading anchor (the transform reserves them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date
from briefpub.language import is_rtl_language
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Heading, PackMeta, Paragraph, Publication, inline_text, iter_blocks
from briefpub.writers.common.labels import Labels, labels_for
from briefpub.writers.common.links import External, LinkTarget, resolve_link

__all__ = [
    "ArticleFrame",
    "Byline",
    "Detail",
    "OutlineEntry",
    "PackFrame",
    "SummaryEntry",
    "document_language",
    "frames",
    "outline_depths",
    "publication_language",
]


def document_language(doc: Document, style: StyleSheet) -> str:
    """The document's BCP 47 language, else the style sheet's default (never the machine locale)."""
    return doc.meta.language or style.paragraphs.language or "en"


def publication_language(pub: Publication, style: StyleSheet) -> str:
    """The pack's language, else its first article's."""
    if pub.pack is not None and pub.pack.language:
        return pub.pack.language
    return document_language(pub.documents[0], style)


def outline_depths(levels: list[int]) -> list[int]:
    """Outline depths (1 = top section) for heading levels, never skipping a depth.

    The shallowest heading of the article becomes depth 1; a heading may go at
    most one level deeper than the one before it (PDF outlines and EPUB
    navigation cannot skip).
    """
    if not levels:
        return []
    base = min(levels)
    out: list[int] = []
    previous = 0
    for level in levels:
        depth = min(level - base + 1, previous + 1)
        out.append(depth)
        previous = depth
    return out


@dataclass(frozen=True, slots=True)
class Detail:
    """A labelled line: a cover detail or a source-attribution row. ``key`` is stable (``date``, ``link``)."""

    key: str
    label: str
    value: str
    link: External | None = None


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A heading as navigation lists it: its anchor, outline depth (1 = top), tree level and text."""

    anchor: str
    depth: int
    level: int
    text: str
    heading_id: str


@dataclass(frozen=True, slots=True)
class Byline:
    """The line under the title: ``By A and B, role · 1 December 2026 · Outlet`` (the outlet linked)."""

    names: str = ""
    date: str = ""
    source: str = ""
    source_link: External | None = None

    @property
    def parts(self) -> tuple[str, ...]:
        """The non-empty parts, in order."""
        return tuple(p for p in (self.names, self.date, self.source) if p)

    @property
    def text(self) -> str:
        """The whole line as plain text."""
        return SEPARATOR.join(self.parts)


#: Between the parts of a byline or a contents entry's details.
SEPARATOR = " \u00b7 "

_SENTENCE_END = lazy_re(r"(?<=[.!?…])[\"”’»)\]]*\s+(?=[\"“‘«(\[]?[^\W\d_a-z]|\d)|(?<=[。！？])")
_ABBREVIATIONS = lazy_re(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gen|Col|Lt|St|No|Jan|Feb|Aug|Sept?|Oct|Nov|Dec|U\.S|U\.K)\.$")


def lede_sentence(doc: Document, limit: int = 320) -> str:
    """The first sentence of the article's first paragraph (at most ``limit`` characters, cut at a word)."""
    for block in iter_blocks(doc.blocks):
        if isinstance(block, Paragraph):
            text = " ".join(inline_text(block.children).split())
            if not text:
                continue
            sentence = text
            for match in _SENTENCE_END.finditer(text):
                candidate = text[: match.start()].rstrip()
                if _ABBREVIATIONS.search(candidate) or len(candidate) < 20:
                    continue
                sentence = candidate
                break
            if len(sentence) > limit:
                sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
            return sentence
    return ""


def _date_text(written: str, iso: str, labels: Labels) -> str:
    """A date in the publication's format when it parses, else as written."""
    iso = iso or (parse_date(written) or "")
    if iso:
        try:
            return labels.format_date(date.fromisoformat(iso[:10]))
        except ValueError:
            pass
    return written.strip()


@dataclass(frozen=True, slots=True)
class ArticleFrame:
    """One article's frame (see the module docstring). ``index`` is 0-based, ``number`` 1-based."""

    document: Document
    index: int
    number: int
    count: int
    in_pack: bool
    language: str
    rtl: bool
    labels: Labels
    title: str
    has_title: bool
    subtitle: str
    byline: Byline
    key_points: tuple[str, ...]
    key_points_label: str
    marking: str
    portion_marking: str
    running_header: str
    attribution: tuple[Detail, ...]
    title_anchor: str
    outline: tuple[OutlineEntry, ...]
    anchors: Mapping[str, str]
    lede: str
    article_label: str

    def anchor_of(self, heading_id: str) -> str | None:
        """The publication-wide anchor of a heading id of this article, or None."""
        return self.anchors.get(heading_id)

    def resolve(self, url: str) -> LinkTarget:
        """What a link of this article becomes (:func:`~briefpub.writers.common.links.resolve_link`)."""
        return resolve_link(url, self.anchor_of, self.index)

    @staticmethod
    def build(pub: Publication, index: int, style: StyleSheet, date_labels: Labels | None = None) -> ArticleFrame:
        """The frame of article ``index`` of ``pub``."""
        doc = pub.documents[index]
        meta = doc.meta
        in_pack = pub.pack is not None
        language = document_language(doc, style)
        labels = labels_for(language)
        # In a pack every date, and the pack's own furniture (article numbers), is in the pack's language.
        dates = date_labels or labels
        number = index + 1
        prefix = f"a{number}-" if in_pack else ""
        headings = [b for b in iter_blocks(doc.blocks) if isinstance(b, Heading)]
        depths = outline_depths([h.level for h in headings])
        anchors: dict[str, str] = {}
        outline: list[OutlineEntry] = []
        for n, (heading, depth) in enumerate(zip(headings, depths, strict=True), start=1):
            anchor = prefix + (heading.id or f"_h{n}")  # "_" never starts an id the transform gives
            if heading.id:
                anchors.setdefault(heading.id, anchor)
            outline.append(OutlineEntry(anchor, depth, heading.level, " ".join(inline_text(heading.children).split()),
                                        heading.id))
        role = dict(meta.extras).get("author_role", "")
        names = labels.byline(meta.authors)
        if names and role:
            names = f"{names}, {role}"
        date_text = _date_text(meta.date, meta.date_iso, dates)
        source_target = resolve_link(meta.url, lambda _f: None, index) if meta.url else None
        source_link = source_target if isinstance(source_target, External) else None
        byline = Byline(names, date_text, meta.source, source_link if meta.source else None)
        attribution: list[Detail] = []
        if style.furniture.attribution:
            if meta.source:
                attribution.append(Detail("source", labels.source, meta.source))
            if meta.authors:
                attribution.append(Detail("author", labels.author, labels.join(meta.authors)))
            if date_text:
                attribution.append(Detail("published", labels.published, date_text))
            if meta.url:
                attribution.append(Detail("link", labels.link, meta.url, source_link))
            if meta.retrieved:
                attribution.append(Detail("retrieved", labels.retrieved,
                                          _date_text(meta.retrieved, "", dates)))
        pack_marking = pub.pack.marking if pub.pack is not None else ""
        marking = meta.marking or pack_marking
        portion = meta.marking if in_pack and meta.marking and meta.marking != pack_marking else ""
        title = meta.title.strip() or labels.untitled
        # An untitled article in a pack runs under the pack's title rather than "Untitled".
        header_title = meta.title.strip() or (pub.pack.title.strip() if pub.pack is not None else "") or title
        header_template = style.furniture.header
        return ArticleFrame(
            document=doc,
            index=index,
            number=number,
            count=len(pub.documents),
            in_pack=in_pack,
            language=language,
            rtl=is_rtl_language(language),
            labels=labels,
            title=title,
            has_title=bool(meta.title.strip()),
            subtitle=meta.subtitle,
            byline=byline,
            key_points=meta.summary,
            key_points_label=style.boxes.title.strip() or labels.key_points,
            marking=marking,
            portion_marking=portion,
            running_header=header_template.replace("{title}", header_title) if header_template else "",
            attribution=tuple(attribution),
            title_anchor=f"article-{number}" if in_pack else "article",
            outline=tuple(outline),
            anchors=anchors,
            lede=lede_sentence(doc),
            article_label=dates.article_number(number, len(pub.documents)) if in_pack else "",
        )


@dataclass(frozen=True, slots=True)
class SummaryEntry:
    """An article on a pack's summary page: its key points, or its lede marked as such (``points`` empty)."""

    article: ArticleFrame
    points: tuple[str, ...]
    lede: str
    lede_label: str


@dataclass(frozen=True, slots=True)
class PackFrame:
    """A pack's frame (see the module docstring)."""

    meta: PackMeta
    title: str
    subtitle: str
    language: str
    rtl: bool
    labels: Labels
    marking: str
    details: tuple[Detail, ...]
    articles: tuple[ArticleFrame, ...]
    contents_label: str
    contents_depth: int
    summary_label: str
    summary_page: bool
    summary: tuple[SummaryEntry, ...]
    blank_page: str
    end_mark: str
    running_header: str
    footer_template: str
    cover_anchor: str = "cover"
    contents_anchor: str = "contents"
    summary_anchor: str = "summary"

    @staticmethod
    def build(pub: Publication, style: StyleSheet, articles: tuple[ArticleFrame, ...]) -> PackFrame:
        """The frame of ``pub``'s pack (``pub.pack`` must be set)."""
        pack = pub.pack
        if pack is None:
            raise ValueError("not a pack")
        language = publication_language(pub, style)
        labels = labels_for(language)
        details = tuple(
            Detail(key, label, value)
            for key, label, value in (
                ("date", labels.date, _date_text(pack.date, "", labels)),
                ("reference", labels.reference, pack.reference.strip()),
                ("version", labels.version, pack.version.strip()),
                ("compiled-by", labels.compiled_by, pack.compiled_by.strip()),
            )
            if value
        )
        summary = tuple(
            SummaryEntry(article, article.key_points, "" if article.key_points else article.lede,
                         "" if article.key_points else labels.opening)
            for article in articles
        )
        marking = pack.marking or next((a.document.meta.marking for a in articles if a.document.meta.marking), "")
        note = SEPARATOR.join(d.value if d.key == "reference" else f"{d.label} {d.value}"
                              for d in details if d.key in ("reference", "version"))
        footer = style.furniture.footer or labels.page_of
        header_template = style.furniture.header
        title = pack.title.strip() or labels.untitled
        return PackFrame(
            meta=pack,
            title=title,
            subtitle=pack.subtitle,
            language=language,
            rtl=is_rtl_language(language),
            labels=labels,
            marking=marking,
            details=details,
            articles=articles,
            contents_label=labels.contents,
            contents_depth=style.furniture.contents_depth,
            summary_label=style.boxes.title.strip() or labels.key_points,
            summary_page=pack.summary_page,
            summary=summary,
            blank_page=labels.blank_page,
            end_mark=labels.end_of_pack,
            running_header=header_template.replace("{title}", title) if header_template else "",
            footer_template=f"{note}{SEPARATOR}{footer}" if note else footer,
        )


@dataclass(frozen=True, slots=True)
class Frames:
    """A publication's frames: the pack's (None for a single article) and one per article."""

    pack: PackFrame | None
    articles: tuple[ArticleFrame, ...] = field(default=())
    footer_template: str = ""

    @property
    def language(self) -> str:
        """The publication's language."""
        return self.pack.language if self.pack is not None else self.articles[0].language

    @property
    def labels(self) -> Labels:
        """The publication's labels."""
        return self.pack.labels if self.pack is not None else self.articles[0].labels


def frames(pub: Publication, style: StyleSheet) -> Frames:
    """Every frame of ``pub``: what the writers render around the article bodies."""
    pack_labels = labels_for(publication_language(pub, style)) if pub.pack is not None else None
    articles = tuple(ArticleFrame.build(pub, i, style, pack_labels) for i in range(len(pub.documents)))
    if pub.pack is None:
        first = articles[0]
        return Frames(None, articles, style.furniture.footer or first.labels.page_of)
    pack = PackFrame.build(pub, style, articles)
    return Frames(pack, articles, pack.footer_template)
