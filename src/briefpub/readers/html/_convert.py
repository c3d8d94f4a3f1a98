"""HTML elements -> document tree blocks (reader stage, HTML).

:class:`Converter` walks a neutralised lxml subtree and builds
:mod:`briefpub.tree` nodes: paragraphs (text directly in a ``<div>`` too, with
``<br><br>`` splitting paragraphs), headings, lists, definition lists, block
quotes with their attribution (a ``<footer>``/``<cite>``, or a last line opening
with an em dash), figures with captions, data tables (layout tables are read as
containers), preformatted text, thematic breaks, and the inline kinds. Links keep
only http, https and mailto targets (relative ones resolved against the page's
canonical URL) and in-page ``#fragment`` links to headings; images keep their
``src`` as written, as figures or inline images by the rule of
:mod:`briefpub.readers.common.images`.

**In-page links.** A heading keeps its own ``id`` (or that of an anchor inside
it) as :attr:`~briefpub.tree.Heading.id`; a ``#fragment`` naming an element
that leads to a heading (the heading, an anchor in it or just before it, a
section it opens) is pointed at that heading's id, which the ids transform turns
into the final one. A fragment naming another part of the page (a footnote, a
comment) stays text (reported); one naming nothing on the page is kept for the
ids transform to match against the headings' text.

**Language of parts.** An element whose ``lang`` (or ``xml:lang``) differs from
the language around it puts its text in :class:`~briefpub.tree.Span` (a block's
every run of inlines; see :mod:`briefpub.readers.common.languages`).

With ``meta`` (whole pages), the article's own header is read into the
metadata before the body starts: the first ``<h1>`` is the title, a byline
("By ..." or a byline/author class) gives the authors, a ``<time>`` or date line
the date, and a standfirst class the subtitle; the nearest ``lang`` on the
article or around it is its language. A byline block split across elements is
read whole: a name alone on its line counts when the metadata names that author
or when a role or desk line or the date follows it, and the role or desk line
right after a byline ("Health correspondent", "NBN News, North of England") is
removed. The lead image's credit ("Image source, X", "Photo: X / Agency",
"Credit: ...", or a credit class), inside its ``<figure>`` or on the next line
under the headline, stays in its caption; a screen reader's "Image caption,"
label is taken off the caption. Every move and removal is reported. Site boilerplate inside the article
("Advertisement", "Read more: ...", trailing share and comment prompts,
"Related" link lists) is removed with the rules of
:mod:`briefpub.readers.common.boilerplate`.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from lxml import etree

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date
from briefpub.readers.common.boilerplate import is_boilerplate, is_related_list_header, is_trailing_boilerplate
from briefpub.readers.common.bylines import BY, NAME_SEPARATORS, is_name, is_role_line, parse_byline
from briefpub.readers.common.compare import comparable
from briefpub.readers.common.datelines import is_date_line
from briefpub.readers.common.images import image_source, paragraph_parts, refused_as_text, take_images
from briefpub.readers.common.inlines import normalise_inlines, strip_leading_dash
from briefpub.readers.common.languages import blocks_in_language, declared_language, differs, in_language
from briefpub.readers.common.limits import MAX_BLOCK_DEPTH, MAX_INLINE_DEPTH
from briefpub.readers.common.links import link_target, shows_url
from briefpub.readers.common.notes import Notes
from briefpub.readers.html._parse import line_of, raw_text, remove, short_text_of, text_of
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Span,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    ThematicBreak,
    block_text,
    inline_text,
)

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table",
        "ul", "legend", "caption", "tbody", "thead", "tfoot", "tr", "td", "th", "body", "html", "search",
        "listing", "xmp", "plaintext", "dir", "frameset", "noframes",
    }
)
_EMPHASIS = frozenset({"em", "i", "cite", "dfn", "var"})
_STRONG = frozenset({"strong", "b"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-url", "data-hi-res-src")
_BYLINE_WORDS = frozenset({"byline", "author", "authors", "contributor", "contributors", "writer", "byl"})
_CREDIT_WORDS = frozenset({"credit", "credits", "copyright", "attribution", "imagecredit", "photocredit"})
_DATE_WORDS = frozenset({"date", "dateline", "timestamp", "published", "pubdate", "posted", "time"})
_STANDFIRST_WORDS = frozenset(
    {"standfirst", "dek", "deck", "subtitle", "subheadline", "subhead", "strapline", "summary", "description"}
)
_WORD_SPLIT = lazy_re(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_ALIGN = lazy_re(r"text-align\s*:\s*(left|center|right)", re.IGNORECASE)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TITLE_PARTS = lazy_re(r"\s+(?:\||-|\u2013|\u2014|::|\u00b7|\u2022|/)\s+")
#: "5 min read", "Reading time: 4 minutes", "3-minute read": a line of the article's header.
_READING_TIME = lazy_re(
    r"^(?:(?:estimated\s+)?reading\s+time\s*:?\s*)?(?:about\s+)?\d{1,3}\s*(?:-|\s)?\s*(?:min(?:ute)?s?|m)\.?"
    r"(?:\s+(?:de\s+)?(?:read|reading|lecture|listen))?$",
    re.IGNORECASE,
)
#: "Updated:", "Published on", "Posted", "Last modified" opening a date line.
_DATE_PREFIX = lazy_re(
    r"^\(?\s*(?:last\s+)?(?:updated|published|posted|modified|first published)(?:\s+on)?\s*:?\s*",
    re.IGNORECASE,
)
#: An image's credit line: "Image source, X", "Photo: X / Agency", "Credit: ...", "(c) X", "Picture by X".
_CREDIT = lazy_re(
    r"^(?:(?:image|photo|picture|video|media)\s+(?:source|credit)s?\s*[,:]"
    r"|(?:photo(?:graph)?s?|pictures?|images?|credits?|illustration|foto|source)\s*:"
    r"|(?:photo(?:graph)?|picture|image|illustration)\s+(?:by|courtesy(?:\s+of)?)\s"
    r"|\u00a9|\(c\)\s|copyright\b)",
    re.IGNORECASE,
)
#: The longest credit line moved into a figure's caption (words).
_MAX_CREDIT_WORDS = 15
#: A screen reader's label opening a caption ("Image caption, ..."), not part of the caption.
_CAPTION_LABEL = lazy_re(r"^\s*(?:image|photo|video|media)\s+caption\s*[,:]\s*", re.IGNORECASE)
#: A figure's lone screen-reader label ("Image", "Video").
_MEDIA_LABEL = lazy_re(r"^\s*(?:image|photo|picture|video|graphic|illustration|audio)\s*$", re.IGNORECASE)
_COMMENTS_HEADER = lazy_re(
    r"^(?:\d+\s+)?(?:comments?|your (?:views|comments|say)|have your say|reader comments|join the (?:discussion|"
    r"conversation)|leave a (?:reply|comment)|discussion)(?:\s*\(\d+\))?\s*:?$",
    re.IGNORECASE,
)


#: What :meth:`Converter._language` gives for an element in the language around it (reusable: it holds no state).
_NO_SWITCH = contextlib.nullcontext("")


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _class_words(el: etree._Element) -> set[str]:
    words: set[str] = set()
    for token in (el.get("class") or "").split() + (el.get("id") or "").split() + (el.get("itemprop") or "").split():
        parts = [p.lower() for p in _WORD_SPLIT.split(token) if p]
        words.update(parts)
        words.add("".join(parts))
    return words


def _has_block(el: etree._Element) -> bool:
    return any(_tag(d) in BLOCK_TAGS for d in el.iterdescendants())


class Converter:
    """Builds tree blocks from HTML elements; see the module docstring."""

    def __init__(
        self,
        notes: Notes,
        *,
        base: str = "",
        meta: dict[str, Any] | None = None,
        language: str = "",
        anchors: dict[str, etree._Element] | None = None,
    ) -> None:
        """``meta``: read a whole page's header into it; ``language``: the document's, when no
        ``meta`` says; ``anchors``: the page's elements by ``id`` (and ``<a name>``), read
        before extraction removed any (see :func:`page_anchors`)."""
        self.notes = notes
        self.base = base
        self.meta: dict[str, Any] = meta if meta is not None else {}
        self.header = meta is not None
        self.body_started = not self.header
        self.title_done = False
        self.counts: Counter[str] = Counter()
        self.flattened = False
        self.expect_headline = False  # an <h1> is coming: short lines before it are labels
        self.after_byline: etree._Element | None = None  # the line after a byline: perhaps its role or desk
        self.lang = self.meta.get("language") or language  # the language around the element being read
        self.bad_langs: set[str] = set()
        self.anchors = anchors if anchors is not None else {}
        self.link_ids: dict[etree._Element, str] = {}  # heading without an id of its own -> the id links use

    # ------------------------------------------------------------------ entry points

    def document_blocks(self, container: etree._Element) -> tuple[Block, ...]:
        """The article's blocks (reading its header into the metadata) with site boilerplate removed."""
        self.expect_headline = self.header and container.find(".//h1") is not None
        language = self._article_language(container)
        if language:
            self.meta["language"] = self.lang = language
        blocks = self.fragment_blocks(container)
        if not self.title_done and blocks:
            blocks = self._headline_line(blocks)
        blocks = self._drop_text_boilerplate(blocks)
        self.finish()
        return tuple(blocks)

    def fragment_blocks(self, el: etree._Element) -> list[Block]:
        """The blocks of ``el``'s content, in-page links to its headings resolved first."""
        self._collect_link_ids(el)
        return self.blocks(el, 0)

    def finish(self) -> None:
        """Emit the summary diagnostics collected while converting."""
        if self.counts["relative"]:
            self.notes.add(
                "reader.unsupported",
                f"{self.counts['relative']} relative link(s) kept as text (no canonical page URL to resolve them)",
            )
        if self.counts["span"]:
            self.notes.add(
                "reader.unsupported",
                f"{self.counts['span']} table cell span(s): spanned cells padded with empty cells",
            )
        if self.counts["pixel"]:
            self.notes.add("reader.boilerplate-removed", f"{self.counts['pixel']} tracking pixel image(s) removed")
        if self.counts["fragment"]:
            self.notes.add(
                "reader.unsupported",
                f"{self.counts['fragment']} in-page link(s) to parts of the page other than headings kept as text",
            )
        if self.flattened:
            self.notes.add(
                "reader.unsupported",
                f"quotations or lists nested more than {MAX_BLOCK_DEPTH} deep were flattened",
                severity="warning",
            )

    # ------------------------------------------------------------------ language of parts

    def _declared(self, el: etree._Element) -> str:
        """The language ``el`` declares ("" for none; a malformed tag is reported once and ignored)."""
        value = el.get("lang")
        if value is None:
            value = el.get(_XML_LANG) or el.get("xml:lang")
        if value is None:
            return ""
        tag = declared_language(value)
        if tag is None:
            if value not in self.bad_langs:
                self.bad_langs.add(value)
                self.notes.add("reader.metadata", "lang is not a BCP 47 language tag: language not marked", value,
                               line_of(el), "warning")
            return ""
        return tag

    def _language(self, el: etree._Element) -> contextlib.AbstractContextManager[str]:
        """While reading ``el``: the language it switches to ("" when it does not)."""
        tag = self._declared(el)
        if not differs(tag, self.lang):
            return _NO_SWITCH  # the common case: no generator-based context manager to set up
        return self._switched(tag)

    @contextlib.contextmanager
    def _switched(self, tag: str) -> Iterator[str]:
        around, self.lang = self.lang, tag
        try:
            yield tag
        finally:
            self.lang = around

    def _article_language(self, container: etree._Element) -> str:
        """The nearest language declared on the article's container or around it ("" for none)."""
        for el in (container, *container.iterancestors()):
            tag = self._declared(el)
            if tag:
                return tag
        return ""

    # ------------------------------------------------------------------ in-page links

    def _collect_link_ids(self, el: etree._Element) -> None:
        """For headings with no id of their own, the first id an in-page link inside ``el`` reaches them by."""
        for a in el.iter("a"):
            href = (a.get("href") or "").strip()
            target = self.anchors.get(href[1:]) if href.startswith("#") else None
            heading = _heading_for(target) if target is not None else None
            if heading is not None and not _own_id(heading):
                self.link_ids.setdefault(heading, href[1:])

    def _link_target(self, fragment: str) -> str | None:
        """The id a ``#fragment`` link should point at, or None when it names a part that is not a heading."""
        target = self.anchors.get(fragment)
        if target is None:
            return fragment  # names nothing on the page: perhaps a heading's text (the ids transform decides)
        heading = _heading_for(target)
        if heading is None:
            return None
        return _own_id(heading) or self.link_ids.get(heading, fragment)

    # ------------------------------------------------------------------ blocks

    def blocks(self, el: etree._Element, depth: int) -> list[Block]:
        """Blocks for the content of ``el`` (its text, children and their tails)."""
        out: list[Block] = []
        pending: list[Inline] = []

        def flush() -> None:
            if all(isinstance(n, Text) and not n.text.strip(" \t\n\r\f") for n in pending):
                pending.clear()  # nothing, or only the white space between blocks: no paragraph
                return
            parts = paragraph_parts(normalise_inlines(pending))
            pending.clear()
            for part in parts:
                if part.images:  # images on a line of their own: figures
                    out.extend(self._figures(part.images))
                    continue
                inlines = refused_as_text(part.inlines)
                if inlines and self.expect_headline and not self.title_done and len(inline_text(inlines).split()) <= 8:
                    label, images = take_images(inlines)
                    self.notes.add("reader.boilerplate-removed", "removed label above the headline",
                                   inline_text(label), line_of(el))
                    out.extend(self._figures(images))
                elif (
                    inlines and self.title_done and not self.body_started and out and isinstance(out[-1], Figure)
                    and self._is_credit(inlines)
                ):  # the lead image's credit on a line of its own: it stays with the image
                    out[-1] = self._with_credit(out[-1], inlines, line_of(el))
                elif inlines:
                    self.body_started = True
                    out.append(Paragraph(inlines))

        if el.text:
            pending.append(Text(el.text))
        for child in list(el):
            tag = _tag(child)
            if tag == "br":
                if pending and isinstance(pending[-1], LineBreak):
                    pending.pop()
                    flush()
                else:
                    pending.append(LineBreak())
            elif tag in BLOCK_TAGS or (tag and tag not in ("a", "img") and (_has_block(child) or _double_br(child))):
                flush()
                started = self.body_started
                got = self.block(child, depth)
                if (
                    not started and self.title_done and out and isinstance(out[-1], Figure) and len(got) == 1
                    and isinstance(got[0], Paragraph) and self._is_credit(got[0].children, _class_words(child))
                ):  # the lead image's credit in an element of its own: it stays with the image
                    out[-1] = self._with_credit(out[-1], got[0].children, line_of(child))
                    self.body_started = started
                else:
                    out.extend(got)
            elif tag and not (self.header and not self.body_started and self._header_item(child, inline=True)):
                pending.extend(self.inline(child, 0))
            # whitespace between two <br> must not hide the pair
            if child.tail and (child.tail.strip() or not (pending and isinstance(pending[-1], LineBreak))):
                pending.append(Text(child.tail))
        flush()
        return out

    def block(self, el: etree._Element, depth: int) -> list[Block]:
        """Blocks for one block-level element (in a span of its language, if it declares another)."""
        with self._language(el) as lang:
            return blocks_in_language(self._block(el, depth), lang)

    def _blocks_in(self, el: etree._Element, depth: int) -> list[Block]:
        """:meth:`blocks` for the content of a list item, definition or layout cell, in its language."""
        with self._language(el) as lang:
            return blocks_in_language(self.blocks(el, depth), lang)

    def _block(self, el: etree._Element, depth: int) -> list[Block]:
        tag = _tag(el)
        if not self.body_started and self._header_item(el):
            return []
        if tag in _HEADINGS:
            return self._heading(el, _HEADINGS[tag])
        if tag in ("ul", "ol", "menu", "dir"):
            return self._list(el, depth)
        if tag == "dl":
            return self._definitions(el, depth)
        if tag == "blockquote":
            return self._quote(el, depth)
        if tag == "figure":
            return self._figure(el, depth)
        if tag == "table":
            return self._table(el, depth)
        if tag in ("pre", "listing", "xmp", "plaintext"):
            return self._pre(el)
        if tag == "hr":
            return [ThematicBreak()]
        return self.blocks(el, depth)

    def _heading(self, el: etree._Element, level: int) -> list[Block]:
        inlines, images = take_images(normalise_inlines(self.inline_content(el, 0)))
        figures = self._figures(images)  # a heading is text only: its images follow it
        if not inlines:
            return figures
        if self.header and level == 1 and not self.title_done and not self.body_started:
            self.title_done = True
            self.meta["title"] = inline_text(inlines)
            return figures
        text = inline_text(inlines)
        if (
            self.header and level == 2 and self.title_done and not self.body_started
            and not self.meta.get("subtitle") and len(text.split()) >= 8
        ):
            self.meta["subtitle"] = text  # a standfirst set as a heading under the headline
            self.notes.add("reader.metadata", "standfirst under the headline moved into the subtitle", text,
                           line_of(el))
            return figures
        self.body_started = True
        return [Heading(level, inlines, _own_id(el) or self.link_ids.get(el, "")), *figures]

    def _list(self, el: etree._Element, depth: int) -> list[Block]:
        items: list[ListItem] = []
        flat: list[Block] = []
        for child in el:
            tag = _tag(child)
            if tag == "li" or (tag and text_of(child)):
                blocks = self._blocks_in(child, depth + 1)
                if blocks:
                    items.append(ListItem(tuple(blocks)))
                    flat.extend(blocks)
        if not items:
            return []
        self.body_started = True
        if depth >= MAX_BLOCK_DEPTH:
            self.flattened = True
            return flat
        if _tag(el) == "ol":
            try:
                start = int((el.get("start") or "1").strip())
            except ValueError:
                start = 1
            return [OrderedList(tuple(items), start=min(max(start, 0), 1_000_000))]
        return [BulletList(tuple(items))]

    def _definitions(self, el: etree._Element, depth: int) -> list[Block]:
        out: list[Block] = []
        for child in el:
            tag = _tag(child)
            if tag == "dt":
                inlines = refused_as_text(normalise_inlines(self.inline_content(child, 0)))
                if inlines:
                    out.append(Paragraph((Strong(inlines),)))
            elif tag:
                out.extend(self._blocks_in(child, depth))
        return out

    def _quote(self, el: etree._Element, depth: int) -> list[Block]:
        attribution: tuple[Inline, ...] = ()
        children = [c for c in el if _tag(c)]
        for child in children:
            tag = _tag(child)
            if tag == "footer" or (tag == "cite" and child is children[-1] and len(children) > 1):
                inlines = refused_as_text(normalise_inlines(self.inline_content(child, 0)))
                attribution = strip_leading_dash(inlines) or inlines
                remove(child)
                break
        blocks = self.blocks(el, depth + 1)
        if not attribution and blocks and isinstance(blocks[-1], Paragraph):
            attribution, blocks = _split_attribution(blocks)
        if not blocks and not attribution:
            return []
        self.body_started = True
        if depth >= MAX_BLOCK_DEPTH:
            self.flattened = True
            return blocks + ([Paragraph(attribution)] if attribution else [])
        return [BlockQuote(tuple(blocks), attribution)]

    def _figure(self, el: etree._Element, depth: int) -> list[Block]:
        caption_el = el.find(".//figcaption")
        caption: tuple[Inline, ...] = ()
        if caption_el is not None:
            caption = self._caption_unlabelled(refused_as_text(normalise_inlines(self.inline_content(caption_el, 0))),
                                               caption_el)
            remove(caption_el)
        images = [img for img in el.iter("img")]
        quote = el.find(".//blockquote")
        if quote is not None and not images:
            blocks = self._quote(quote, depth)
            if caption and blocks and isinstance(blocks[-1], BlockQuote) and not blocks[-1].attribution:
                blocks[-1] = BlockQuote(blocks[-1].blocks, strip_leading_dash(caption) or caption)
            return blocks
        table = el.find(".//table")
        if table is not None and not images:
            blocks = self._table(table, depth)
            if caption and blocks and isinstance(blocks[-1], Table) and not blocks[-1].caption:
                blocks[-1] = Table(blocks[-1].header, blocks[-1].rows, caption)
            return blocks
        figures: list[Block] = []
        for img in images:
            image = self._image(img)
            figure = self._image_figure(image, caption if not figures else ()) if image is not None else None
            if figure is not None:
                figures.append(figure)
            remove(img)
        if caption and not any(isinstance(f, Figure) and f.caption for f in figures):
            figures.append(Figure(caption=caption))  # every image refused: the caption stays
        # a lead picture does not start the body: the byline and date often follow it
        started = self.body_started
        rest = self.blocks(el, depth)  # credits or text outside the caption
        first = next((i for i, f in enumerate(figures) if isinstance(f, Figure) and f.image), None)
        labels = [b for b in rest if isinstance(b, Paragraph) and _MEDIA_LABEL.match(inline_text(b.children))]
        for label in labels:  # "Image", "Video": a screen reader's name for the figure, not its text
            self.notes.add("reader.boilerplate-removed", "removed a screen reader's label beside an image",
                           inline_text(label.children), line_of(el))
        rest = [b for b in rest if not any(b is lab for lab in labels)]
        if labels and not rest:
            self.body_started = started
        credits = [b for b in rest if isinstance(b, Paragraph) and len(inline_text(b.children).split())
                   <= _MAX_CREDIT_WORDS and not _CAPTION_LABEL.match(inline_text(b.children))]
        if first is not None and credits:
            # short lines inside the figure beside the caption are its credit: they stay with it
            lead = figures[first]
            assert isinstance(lead, Figure)
            for credit in credits:
                lead = self._with_credit(lead, credit.children, line_of(el))
            figures[first] = lead
            rest = [b for b in rest if not any(b is c for c in credits)]
            if not rest:
                self.body_started = started
        return figures + rest

    @staticmethod
    def _is_credit(inlines: tuple[Inline, ...], words: set[str] | frozenset[str] = frozenset()) -> bool:
        """A short line that credits an image ("Image source, X", "Photo: X / Agency", "Credit: ...")
        or that its element's class calls a credit."""
        text = inline_text(inlines).strip()
        return len(text.split()) <= _MAX_CREDIT_WORDS and (
            _CREDIT.match(text) is not None or bool(words & _CREDIT_WORDS)
        )

    def _with_credit(self, figure: Figure, credit: tuple[Inline, ...], line: int | None) -> Figure:
        """``figure`` with an image credit added to its caption (reported)."""
        text = inline_text(credit).strip()
        self.notes.add("reader.metadata", "image credit kept in the figure's caption", text, line)
        caption = figure.caption
        if caption:
            end = inline_text(caption).rstrip()
            caption = (*caption, Text(" " if end.endswith((".", "!", "?", ")", "\u201d", '"')) else ". "))
        caption = normalise_inlines((*caption, *credit))
        return Figure(caption=caption, image=figure.image, alt=figure.alt)

    def _caption_unlabelled(self, caption: tuple[Inline, ...], el: etree._Element) -> tuple[Inline, ...]:
        """``caption`` without a screen reader's "Image caption, " label (reported)."""
        if caption and isinstance(caption[0], Text) and (m := _CAPTION_LABEL.match(caption[0].text)):
            rest = caption[0].text[m.end():]
            if rest.strip() or len(caption) > 1:
                self.notes.add("reader.boilerplate-removed", "removed a screen reader's label from a caption",
                               m.group(0).strip(), line_of(el))
                return normalise_inlines(((Text(rest),) if rest else ()) + caption[1:])
        return caption

    @staticmethod
    def _image_figure(image: Image, caption: tuple[Inline, ...]) -> Figure | None:
        """A figure for an image (None when nothing is left of it): a refused one keeps its alt text."""
        if image.src or caption:
            return Figure(caption=caption, image=image.src, alt=image.alt)
        if image.alt:
            return Figure(caption=(Text(image.alt),), alt=image.alt)
        return None

    def _figures(self, images: tuple[Image, ...]) -> list[Block]:
        """Figures for images standing alone (no caption of their own)."""
        return [f for image in images if (f := self._image_figure(image, ())) is not None]

    def _image(self, img: etree._Element) -> Image | None:
        """The image of ``img``, with no ``src`` when it was refused (reported); None for a tracking pixel."""
        alt = " ".join((img.get("alt") or "").split())
        if _is_pixel(img):
            self.counts["pixel"] += 1
            return None
        src = img.get("src") or ""
        if not src.strip() or image_source(src)[1] == "data":
            src = next((img.get(a) or "" for a in _LAZY_SRC if (img.get(a) or "").strip()), src)
        ref, problem = image_source(src)
        if problem == "data":
            self.notes.add(
                "reader.image-refused", "inline data: image not kept", alt or src[:40], line_of(img), "warning"
            )
        elif problem == "unsafe":
            self.notes.add("reader.active-content", "image with a script or local-file URL removed", src,
                           line_of(img), "warning")
        return Image(ref, alt, " ".join((img.get("title") or "").split()))

    def _pre(self, el: etree._Element) -> list[Block]:
        text = raw_text(el).strip("\n")
        if not text.strip():
            return []
        inlines: list[Inline] = []
        for index, line in enumerate(text.split("\n")):
            if index:
                inlines.append(LineBreak())
            if line.strip():
                inlines.append(Code((Text(line.rstrip()),)))
        self.body_started = True
        return [Paragraph(tuple(inlines))]

    # ------------------------------------------------------------------ tables

    def _table(self, el: etree._Element, depth: int) -> list[Block]:
        rows = [tr for tr in el.iter("tr") if _owner_table(tr) is el]
        if _is_layout_table(el, rows):
            out: list[Block] = []
            for tr in rows:
                for cell in tr:
                    if _tag(cell) in ("td", "th"):
                        out.extend(self._blocks_in(cell, depth))
            return out
        header: list[TableRow] = []
        body: list[TableRow] = []
        for tr in rows:
            cells: list[TableCell] = []
            for cell in tr:
                if _tag(cell) not in ("td", "th"):
                    continue
                inlines = self._cell_inlines(cell)
                cells.append(TableCell(inlines, _align(cell)))
                span = _int(cell.get("colspan"), 1)
                if span > 1 or _int(cell.get("rowspan"), 1) > 1:
                    self.counts["span"] += 1
                cells.extend(TableCell(()) for _ in range(min(span, 50) - 1))
            if not cells:
                continue
            parent = tr.getparent()
            in_head = parent is not None and _tag(parent) == "thead"
            all_th = all(_tag(c) == "th" for c in tr if _tag(c) in ("td", "th"))
            if in_head or (all_th and not body):
                header.append(TableRow(tuple(cells)))
            else:
                body.append(TableRow(tuple(cells)))
        caption_el = el.find("caption")
        caption: tuple[Inline, ...] = ()
        if caption_el is not None:
            caption = refused_as_text(normalise_inlines(self.inline_content(caption_el, 0)))
        if not header and not body:
            return [Paragraph(caption)] if caption else []
        self.body_started = True
        return [Table(tuple(header), tuple(body), caption)]

    def _cell_inlines(self, cell: etree._Element) -> tuple[Inline, ...]:
        """A data cell's inlines: its blocks as lines, its images in place (see :mod:`.common.images`)."""
        with self._language(cell) as lang:
            parts: list[Inline] = []
            if cell.text:
                parts.append(Text(cell.text))
            for child in cell:
                tag = _tag(child)
                if tag in BLOCK_TAGS:
                    parts.append(LineBreak())
                    parts.extend(self.inline_content(child, 0))
                    parts.append(LineBreak())
                elif tag:
                    parts.extend(self.inline(child, 0))
                if child.tail:
                    parts.append(Text(child.tail))
        cleaned: list[Inline] = []
        for node in refused_as_text(normalise_inlines(parts)):
            if isinstance(node, LineBreak) and cleaned and isinstance(cleaned[-1], LineBreak):
                continue
            cleaned.append(node)
        return in_language(tuple(cleaned), lang)

    # ------------------------------------------------------------------ inlines

    def inline_content(self, el: etree._Element, depth: int) -> list[Inline]:
        """Inlines for the content of ``el`` (not its tail), in a span of its language if it declares
        another; block children are read as inline."""
        with self._language(el) as lang:
            out: list[Inline] = []
            if el.text:
                out.append(Text(el.text))
            for child in el:
                if _tag(child) in BLOCK_TAGS:  # a block read as inline: a word boundary on each side
                    out.extend((Text(" "), *self.inline(child, depth), Text(" ")))
                elif _tag(child):
                    out.extend(self.inline(child, depth))
                if child.tail:
                    out.append(Text(child.tail))
        return list(in_language(tuple(out), lang)) if depth < MAX_INLINE_DEPTH else out

    def inline(self, el: etree._Element, depth: int) -> list[Inline]:
        """Inlines for one element (an image in place: the paragraph decides if it is a figure)."""
        tag = _tag(el)
        if tag == "br":
            return [LineBreak()]
        if tag == "wbr":
            return []
        if tag == "img":
            image = self._image(el)
            return [image] if image is not None and (image.src or image.alt) else []
        if tag in _CODE:
            text = raw_text(el)
            return [Code((Text(text),))] if text.strip() else [Text(text)]
        children = self.inline_content(el, depth + 1)
        if tag == "a":
            return self._link(el, children, depth)
        if depth >= MAX_INLINE_DEPTH:
            return children
        if tag in _EMPHASIS:
            return [Emphasis(tuple(children))]
        if tag in _STRONG:
            return [Strong(tuple(children))]
        if tag == "q":
            return [Text("\u201c"), *children, Text("\u201d")]
        return children

    def _link(self, el: etree._Element, children: list[Inline], depth: int) -> list[Inline]:
        href = el.get("href")
        if href is None:
            return children
        url, problem = link_target(href, self.base)
        if url.startswith("#"):
            target = self._link_target(url[1:])
            if target is None:
                self.counts["fragment"] += 1
                return children
            url = "#" + target
        if problem == "unsafe":
            if shows_url(inline_text(normalise_inlines(children)), href):
                self.notes.add("reader.active-content", "link showing an unsafe URL removed", href, line_of(el),
                               "warning")
                return []
            self.notes.add("reader.active-content", "link with an unsafe URL kept as text", href, line_of(el),
                           "warning")
            return children
        if problem == "relative":
            self.counts["relative"] += 1
            return children
        if problem or depth >= MAX_INLINE_DEPTH:
            return children
        return [Link(url, tuple(children), " ".join((el.get("title") or "").split()))]

    # ------------------------------------------------------------------ article header

    def _header_item(self, el: etree._Element, *, inline: bool = False) -> bool:
        """Read a byline, date or standfirst at the top of the article into the metadata.

        Block elements may be recognised by their text ("By NAME", a date);
        inline ones only by their tag (``<time>``) or class.
        """
        tag = _tag(el)
        if tag in _HEADINGS or tag in ("ul", "ol", "table", "figure", "blockquote", "pre", "hr"):
            return False
        words = _class_words(el)
        text = short_text_of(el, 300)  # (a whole article's wrapper is not read to its end)
        if not text:
            return False
        after_byline = self.after_byline
        if (
            after_byline is not None and (el is after_byline or el in after_byline.iterancestors())
            and not _has_block_child(el) and is_role_line(text, self.meta.get("source", ""))
        ):
            self.after_byline = _following_leaf(el)  # a desk line may follow a job line
            self.notes.add("reader.byline", "removed the byline's role or desk line", text, line_of(el))
            return True
        if len(text) <= 40 and _READING_TIME.match(text) and not _has_block_child(el):
            self.notes.add("reader.boilerplate-removed", "removed reading-time line from the article's header",
                           text, line_of(el))
            return True
        prefixed = _DATE_PREFIX.match(text)
        if prefixed and len(text) <= 80 and not _has_block_child(el):
            rest = text[prefixed.end():].strip(" )")
            time_el = el if tag == "time" else el.find(".//time")
            machine = time_el.get("datetime") if time_el is not None else None
            if parse_date(rest) or (machine and parse_date(machine)):
                self._set_date(rest, machine, el)
                return True
        if words & _STANDFIRST_WORDS and not _has_block_child(el):
            if not self.meta.get("subtitle"):
                self.meta["subtitle"] = text
                self.notes.add("reader.metadata", "standfirst moved into the subtitle", text, line_of(el))
            else:
                self.notes.add("reader.metadata", "second standfirst removed (the subtitle is already set)", text,
                               line_of(el))
            return True
        description = dict(self.meta.get("extras", ())).get("description", "")
        if (
            not inline and description and not self.meta.get("subtitle") and not _has_block_child(el)
            and comparable(text) == comparable(description)
        ):
            self.meta["subtitle"] = text  # the page's own summary, shown under the headline: its standfirst
            self.notes.add("reader.metadata", "standfirst (the page's description) moved into the subtitle", text,
                           line_of(el))
            return True
        known = self.meta.get("authors", ())
        byline_class = (
            bool(words & _BYLINE_WORDS)
            or el.find(".//a[@rel='author']") is not None
            or (not inline and any(comparable(text).startswith(comparable(a)) for a in known if a))
            or (not inline and self._name_line(el, text))
        )
        if (byline_class or (not inline and BY.match(text))) and len(text) <= 200 and not _has_block_child(el):
            authors, date, source = self._parse_byline(el, text, loose=byline_class)
            if authors:
                if not self.meta.get("authors"):
                    self.meta["authors"] = tuple(authors)
                    self.notes.add("reader.byline", "byline moved into the document's authors", text, line_of(el))
                else:
                    self.notes.add("reader.byline", "byline removed from the body (authors already known)", text,
                                   line_of(el))
                if date:
                    self._set_date(date, None, el)
                if source and not self.meta.get("source"):
                    self.meta["source"] = source
                self.after_byline = _following_leaf(el)
                return True
        time_el = el if tag == "time" else el.find(".//time")
        if inline and tag != "time" and not words & _DATE_WORDS:
            return False
        looks_dated = words & _DATE_WORDS or time_el is not None or is_date_line(text)
        if looks_dated and len(text) <= 80 and not _has_block_child(el):
            machine = time_el.get("datetime") if time_el is not None else None
            shown = text_of(time_el) if time_el is not None else text
            residue = text.replace(shown, "").strip() if shown else text
            if len(residue) <= 25 and (parse_date(shown) or (machine and parse_date(machine))):
                self._set_date(shown or text, machine, el)
                return True
        return False

    def _name_line(self, el: etree._Element, text: str) -> bool:
        """A name alone on its line under the headline, followed by the author's role or desk line or by
        the date (a byline block split across elements, with no class or metadata to say so)."""
        if (self.expect_headline and not self.title_done) or not is_name(text) or _has_block_child(el):
            return False
        following = _following_leaf(el)
        if following is None:
            return False
        after = text_of(following)
        return (
            _tag(following) == "time" or following.find(".//time") is not None or is_date_line(after)
            or is_role_line(after, self.meta.get("source", ""))
        )

    def _parse_byline(self, el: etree._Element, text: str, *, loose: bool) -> tuple[list[str], str, str]:
        """(authors, date, outlet) of a byline; ``loose`` accepts any short names (a byline class said so)."""
        time_el = el.find(".//time")
        date_text = text_of(time_el) if time_el is not None else ""
        names_text = text.replace(date_text, " ").strip(" |\u00b7,") if date_text else text
        parts = [text_of(c) for c in el if _tag(c) not in ("time", "br") and text_of(c)]
        if len(parts) >= 2 and not (el.text or "").strip():
            # the name and the job in elements of their own ("Leonie Brandt" "Travel correspondent")
            source = self.meta.get("source", "")
            names = [p for p in parts if not is_role_line(p, source) and not is_date_line(p)
                     and any(ch.isalpha() for ch in p)]  # not a job, a date or a count of comments
            if names and len(names) < len(parts):
                names_text = ", ".join(names)
        parsed = parse_byline(names_text if BY.match(names_text) else "By " + names_text)
        if parsed is not None:
            return parsed.authors, parsed.date or date_text, parsed.source
        stripped = BY.sub("", names_text)
        names = [n.strip() for n in NAME_SEPARATORS.split(stripped) if any(ch.isalpha() for ch in n)]
        if loose and names and len(names) <= 6 and all(len(n.split()) <= 5 for n in names):
            return names, date_text, ""
        return [], "", ""

    def _set_date(self, text: str, machine: str | None, el: etree._Element) -> None:
        iso = parse_date(machine or "") or parse_date(text) or ""
        existing = self.meta.get("date_iso", "")
        if existing and iso and existing != iso:  # the page's metadata and a visible date disagree: keep the metadata
            self.notes.add("reader.dateline", f"date line removed (the page's metadata says {existing})", text,
                           line_of(el))
            return
        self.meta["date"] = text
        self.meta["date_iso"] = iso
        self.notes.add("reader.dateline", "date line moved into the document's date", text, line_of(el))

    def _headline_line(self, blocks: list[Block]) -> list[Block]:
        """Pages without ``<h1>``: a first line repeating (part of) the page title is the headline.

        A byline on the next line of the same paragraph is read too.
        """
        first = blocks[0]
        if not isinstance(first, Paragraph | Heading):
            return blocks
        children = first.children
        cut = next((i for i, n in enumerate(children) if isinstance(n, LineBreak)), len(children))
        line = inline_text(children[:cut]).strip()
        title = self.meta.get("title", "")
        candidates = {comparable(title)} | {comparable(p) for p in _TITLE_PARTS.split(title)}
        if not line or comparable(line) not in candidates:
            return blocks
        self.meta["title"] = line
        self.title_done = True
        rest = normalise_inlines(children[cut + 1 :])
        if rest:
            text = inline_text(rest)
            parsed = parse_byline(text) if BY.match(text) else None
            if parsed is not None:
                authors, date, source, _role = parsed
                if not self.meta.get("authors"):
                    self.meta["authors"] = tuple(authors)
                self.notes.add("reader.byline", "byline moved into the document's authors", text)
                if date:
                    self.meta["date"], self.meta["date_iso"] = date, parse_date(date) or ""
                if source and not self.meta.get("source"):
                    self.meta["source"] = source
                rest = ()
        return ([Paragraph(rest)] if rest else []) + blocks[1:]

    # ------------------------------------------------------------------ site boilerplate in the text

    def _drop_label_runs(self, blocks: list[Block]) -> list[Block]:
        """Remove runs of label-only lines: a chart's axis labels and values, a video player's settings
        ("$915", "billion", "'17", "'18"...; "Auto", "High (HD)", "Aa"...)."""
        kept: list[Block] = []
        run: list[Block] = []

        def close() -> None:
            if len(run) >= _LABEL_RUN:
                text = " ".join(" ".join(block_text(b)) for b in run)
                self.notes.add("reader.boilerplate-removed",
                               f"removed {len(run)} label-only lines (a chart or player controls; "
                               f"{len(text.split())} words)", text)
            else:
                kept.extend(run)
            run.clear()

        for block in blocks:
            if (
                isinstance(block, Paragraph)
                and _is_label(inline_text(block.children))
                and not any(isinstance(node, Link) for node in block.children)
            ):
                run.append(block)
                continue
            close()
            kept.append(block)
        close()
        return kept

    def _drop_text_boilerplate(self, blocks: list[Block]) -> list[Block]:
        """Remove "Advertisement"/"Read more:" lines, "Related" link lists and trailing prompts."""
        blocks = self._drop_label_runs(blocks)
        kept: list[Block] = []
        skip_list = False
        for index, block in enumerate(blocks):
            if (
                isinstance(block, Paragraph | Heading)
                and index >= len(blocks) * 0.5
                and _COMMENTS_HEADER.match(inline_text(block.children))
            ):
                for dropped in blocks[index:]:
                    self._report_block(dropped, "removed comment section")
                break
            if skip_list and isinstance(block, BulletList | OrderedList) and _links_only(block):
                self._report_block(block, "removed related-links list")
                skip_list = False
                continue
            skip_list = False
            if isinstance(block, Paragraph | Heading):
                text = inline_text(block.children)
                if is_related_list_header(text):
                    self._report_block(block, "removed list header")
                    skip_list = True
                    continue
                if is_boilerplate(text):
                    self._report_block(block, "removed site furniture")
                    continue
            kept.append(block)
        while kept and isinstance(kept[-1], Paragraph | Heading):
            text = inline_text(kept[-1].children)
            if not is_trailing_boilerplate(text):
                break
            self._report_block(kept.pop(), "removed site furniture at the end of the article")
        return kept

    def _report_block(self, block: Block, message: str) -> None:
        text = " ".join(block_text(block))
        self.notes.add("reader.boilerplate-removed", f"{message} ({len(text.split())} words)", text)


#: Elements that may be anchors (page order; the HTML parser lower-cases tag names).
_ANCHOR_ELEMENTS = etree.XPath("descendant-or-self::*[@id] | descendant-or-self::a[@name]")


def page_anchors(root: etree._Element) -> dict[str, etree._Element]:
    """Every element of a page by its ``id`` (and ``<a name>``), first one first, for in-page links."""
    anchors: dict[str, etree._Element] = {}
    found = _ANCHOR_ELEMENTS(root)
    for el in found if isinstance(found, list) else []:
        if not isinstance(el, etree._Element):
            continue
        for key in (el.get("id"), el.get("name") if el.tag == "a" else None):
            if key:
                anchors.setdefault(key, el)
    return anchors


def _own_id(heading: etree._Element) -> str:
    """A heading's own id: on it, or on an anchor inside it (``<h2><a name=x>``, a headline span)."""
    for el in heading.iter():
        key = el.get("id") or (el.get("name") if _tag(el) == "a" else None) if _tag(el) else None
        if key:
            return key
    return ""


def _heading_for(el: etree._Element) -> etree._Element | None:
    """The heading an anchor leads to: the heading itself or the one around it, the heading just
    after an empty anchor, or the heading a section opens with; None for any other part of a page."""
    if _tag(el) in _HEADINGS:
        return el
    for ancestor in el.iterancestors():
        if _tag(ancestor) in _HEADINGS:
            return ancestor
    node: etree._Element | None = el
    for _ in range(4):  # a section (or a wrapper in it) opening with a heading
        if node is None or (node.text or "").strip():
            break
        node = next((c for c in node if _tag(c)), None)
        if node is not None and _tag(node) in _HEADINGS:
            return node
    if not text_of(el):  # an empty anchor just before a heading
        following = el.getnext()
        if following is not None and not (el.tail or "").strip() and _tag(following) in _HEADINGS:
            return following
    return None


#: Consecutive label-only lines removed as a chart's or a player's labels.
_LABEL_RUN = 10
_SENTENCE_ENDS = (".", "!", "?", ":", "\u201d", '"', "\u3002", "\uff01", "\uff1f")


def _is_label(text: str) -> bool:
    """A line of at most three words, not ending a sentence (an axis value, a button's name)."""
    words = text.split()
    return 0 < len(words) <= 3 and len(text) <= 16 and not text.rstrip().endswith(_SENTENCE_ENDS)


def _split_attribution(blocks: list[Block]) -> tuple[tuple[Inline, ...], list[Block]]:
    """Take an em-dash attribution off the last paragraph of a quotation."""
    last = blocks[-1]
    assert isinstance(last, Paragraph)
    if len(blocks) > 1 and (who := strip_leading_dash(last.children)):
        return who, blocks[:-1]
    children = last.children
    breaks = [i for i, node in enumerate(children) if isinstance(node, LineBreak)]
    if breaks:
        cut = breaks[-1]
        who = strip_leading_dash(normalise_inlines(children[cut + 1 :]))
        before = normalise_inlines(children[:cut])
        if who and before:
            return who, [*blocks[:-1], Paragraph(before)]
    return (), blocks


def _double_br(el: etree._Element) -> bool:
    """True when ``el`` holds ``<br><br>`` (old pages separate paragraphs that way)."""
    for br in el.iter("br"):
        following = br.getnext()
        if following is not None and _tag(following) == "br" and not (br.tail or "").strip():
            return True
    return False


def _following_leaf(el: etree._Element) -> etree._Element | None:
    """The first element with text after ``el`` (its next sibling's, or its parent's, innermost first line)."""
    node: etree._Element | None = el
    for _ in range(4):
        assert node is not None
        sibling = node.getnext()
        while sibling is not None and not (isinstance(sibling.tag, str) and text_of(sibling)):
            sibling = sibling.getnext()
        if sibling is not None:
            while _tag(sibling) != "time" and not (sibling.text or "").strip():
                inner = next((c for c in sibling if isinstance(c.tag, str) and text_of(c)), None)
                if inner is None:
                    break
                sibling = inner
            return sibling
        node = node.getparent()
        if node is None:
            return None
    return None


def _has_block_child(el: etree._Element) -> bool:
    return any(
        _tag(c) in ("p", "div", "ul", "ol", "table", "figure", "blockquote", "section", *_HEADINGS) for c in el
    )


def _links_only(block: BulletList | OrderedList) -> bool:
    for item in block.items:
        if len(item.blocks) != 1 or not isinstance(item.blocks[0], Paragraph):
            return False
        children = item.blocks[0].children
        if len(children) == 1 and isinstance(children[0], Span):  # a list in another language
            children = children[0].children
        if not all(isinstance(n, Link) or (isinstance(n, Text) and not n.text.strip()) for n in children):
            return False
    return True


def _owner_table(tr: etree._Element) -> etree._Element | None:
    for ancestor in tr.iterancestors():
        if _tag(ancestor) == "table":
            return ancestor
    return None


def _is_layout_table(table: etree._Element, rows: list[etree._Element]) -> bool:
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    if table.find(".//table") is not None:
        return True
    for tr in rows:
        for cell in tr:
            if _tag(cell) in ("td", "th") and any(
                _tag(d) in ("p", "div", "h1", "h2", "h3", "ul", "ol", "blockquote", "figure") for d in cell.iter()
            ) and len(text_of(cell)) > 200:
                return True
    return False


def _align(cell: etree._Element) -> str:
    align = (cell.get("align") or "").strip().lower()
    if align in ("left", "center", "right"):
        return align
    m = _ALIGN.search(cell.get("style") or "")
    return m.group(1).lower() if m else ""


def _int(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _is_pixel(img: etree._Element) -> bool:
    return _int(img.get("width"), 99) <= 2 and _int(img.get("height"), 99) <= 2


__all__ = ["BLOCK_TAGS", "Converter", "page_anchors"]
