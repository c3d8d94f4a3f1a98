"""Inlines as XHTML: emphasis, links, language of parts, inline images (writer stage).

One run of inlines (a paragraph, a heading, a caption, a table cell) becomes
phrasing content of one element. The rules are the writers' shared ones:

* **links** go through the article's link policy
  (:meth:`~briefpub.writers.common.frame.ArticleFrame.resolve`): an external
  target becomes ``<a href>``, an internal one (``#fragment`` naming a heading)
  ``<a href="article-003.xhtml#a3-background">``, anything refused keeps its
  text and is reported (:func:`~briefpub.writers.common.links.refusal_diagnostic`);
  a link inside a link is not a second link;
* **nested emphasis** stays nested (``<em>a <em>b</em> c</em>``): the CSS sets
  ``em em`` upright, the way typesetters print emphasis inside italics, and the
  markup keeps both emphases for assistive technology;
* a **language span** becomes ``<span lang xml:lang>`` (with ``dir`` when its
  direction differs), WCAG 3.1.2;
* an **inline image** is embedded with its alternative text; one that cannot be
  embedded keeps its alternative text as text and is reported;
* **typographic punctuation** (:func:`~briefpub.writers.common.typography.smarten_texts`)
  is applied to the whole run at once, so quotes pair across emphasis and link
  boundaries; code is never changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import assert_never

from lxml import etree

from briefpub.diagnostics import Diagnostic, excerpt
from briefpub.tree import Code, Emphasis, Image, Inline, LineBreak, Link, Span, Strong, Text
from briefpub.writers.common.links import External, Internal, LinkTarget, Refused, refusal_diagnostic
from briefpub.writers.common.typography import smarten_texts
from briefpub.writers.epub.accessibility import AccessibilityChecks
from briefpub.writers.epub.images import ImageStore
from briefpub.writers.epub.xhtml import Language, append_text, mark_language, sub

__all__ = ["InlineRenderer", "smarten_inlines"]

# A line break or an image between two texts reads as a space when pairing quotes.
_GAP = (" ", True)


def _texts(nodes: tuple[Inline, ...], out: list[tuple[str, bool]]) -> None:
    """Every text of ``nodes`` in reading order, flagged True when it must stay as written (code, gaps)."""
    for node in nodes:
        match node:
            case Text(text=text):
                out.append((text, False))
            case Code(children=children):
                out.extend((t.text, True) for t in children)
            case Emphasis(children=children) | Strong(children=children) | Link(children=children) | Span(
                children=children
            ):
                _texts(children, out)
            case LineBreak() | Image():
                out.append(_GAP)
            case _:
                assert_never(node)


def _rebuild(nodes: tuple[Inline, ...], texts: Iterator[str]) -> tuple[Inline, ...]:
    """``nodes`` with each text replaced, in order, by the next of ``texts`` (gaps skipped)."""
    out: list[Inline] = []
    for node in nodes:
        match node:
            case Text():
                out.append(Text(next(texts)))
            case Code(children=children):
                for _ in children:
                    next(texts)
                out.append(node)
            case Emphasis(children=children) | Strong(children=children) | Link(children=children) | Span(
                children=children
            ):
                out.append(dataclasses.replace(node, children=_rebuild(children, texts)))
            case LineBreak() | Image():
                next(texts)
                out.append(node)
            case _:
                assert_never(node)
    return tuple(out)


def smarten_inlines(nodes: tuple[Inline, ...], language: str) -> tuple[Inline, ...]:
    """``nodes`` with typographic punctuation in ``language``, the run smartened as one text."""
    found: list[tuple[str, bool]] = []
    _texts(nodes, found)
    if not any(not keep and text for text, keep in found):
        return nodes
    smart = smarten_texts([t for t, _ in found], language, code=[keep for _, keep in found])
    return _rebuild(nodes, iter(smart))


class InlineRenderer:
    """Renders runs of one article's inlines (see the module docstring)."""

    def __init__(
        self,
        *,
        resolve: Callable[[str], LinkTarget],
        internal_href: Callable[[Internal], str],
        images: ImageStore,
        language: Language,
        smart: bool,
        diagnostics: list[Diagnostic],
        checks: AccessibilityChecks,
    ) -> None:
        self.resolve = resolve
        self.internal_href = internal_href
        self.images = images
        self.language = language
        self.smart = smart
        self.diagnostics = diagnostics
        self.checks = checks

    def text(self, value: str) -> str:
        """A plain string (title, key point, caption) with typographic punctuation when the style asks."""
        if not self.smart or not value:
            return value
        return smarten_texts([value], self.language.tag)[0]

    def render(self, parent: etree._Element, nodes: tuple[Inline, ...]) -> None:
        """Append ``nodes`` to ``parent`` as phrasing content."""
        if self.smart:
            nodes = smarten_inlines(nodes, self.language.tag)
        self._walk(parent, nodes, in_link=False, lang=self.language)

    def _walk(self, parent: etree._Element, nodes: tuple[Inline, ...], *, in_link: bool, lang: Language) -> None:
        for node in nodes:
            match node:
                case Text(text=text):
                    append_text(parent, text)
                case Emphasis(children=children):
                    self._walk(sub(parent, "em"), children, in_link=in_link, lang=lang)
                case Strong(children=children):
                    self._walk(sub(parent, "strong"), children, in_link=in_link, lang=lang)
                case Code():
                    sub(parent, "code", text=node.text)
                case Span(children=children, lang=tag):
                    self._span(parent, children, tag, in_link=in_link, lang=lang)
                case Link(url=url, children=children, title=title):
                    self._link(parent, url, children, title, in_link=in_link, lang=lang)
                case LineBreak():
                    sub(parent, "br")
                case Image():
                    self._image(parent, node)
                case _:
                    assert_never(node)

    def _span(
        self, parent: etree._Element, children: tuple[Inline, ...], tag: str, *, in_link: bool, lang: Language
    ) -> None:
        span_lang = Language.of(tag)
        if span_lang is None:
            if tag.strip():
                self.diagnostics.append(Diagnostic(
                    "writer.metadata", "a language span's tag is not well-formed BCP 47; its text was kept "
                    "in the language around it", text=excerpt(tag)))
                self.checks.problem("a part of the text has a language tag that is not well-formed")
            self._walk(parent, children, in_link=in_link, lang=lang)
            return
        if span_lang.tag.lower() == lang.tag.lower() and span_lang.rtl == lang.rtl:
            self._walk(parent, children, in_link=in_link, lang=lang)
            return
        span = mark_language(sub(parent, "span"), span_lang, lang)
        self._walk(span, children, in_link=in_link, lang=span_lang)

    def _link(
        self,
        parent: etree._Element,
        url: str,
        children: tuple[Inline, ...],
        title: str,
        *,
        in_link: bool,
        lang: Language,
    ) -> None:
        if in_link:  # a link inside a link is not a second link: its text belongs to the outer one
            self._walk(parent, children, in_link=True, lang=lang)
            return
        target = self.resolve(url)
        match target:
            case Refused():
                self.diagnostics.append(refusal_diagnostic(url, target))
                self._walk(parent, children, in_link=False, lang=lang)
                return
            case External(href=href):
                attrib = {"href": href}
            case Internal():
                attrib = {"href": self.internal_href(target)}
            case _:
                assert_never(target)
        if title.strip():
            attrib["title"] = title.strip()
        anchor = sub(parent, "a", attrib)
        self._walk(anchor, children or (Text(url.strip()),), in_link=True, lang=lang)

    def _image(self, parent: etree._Element, image: Image) -> None:
        alt = image.alt.strip() or image.title.strip()
        found = self.images.get(image.src) if image.src else "no image file was loaded for it"
        if isinstance(found, str):
            if image.src:
                self.diagnostics.append(Diagnostic(
                    "writer.image-missing", f"inline image {image.src!r} was not embedded ({found}); "
                    "its text alternative was kept", text=image.src))
            if alt:
                sub(parent, "span", {"class": "image-missing"}, alt)
            return
        self.checks.image(alt)
        attrib = {"src": found.file_name, "alt": alt, "class": "inline"}
        if image.title.strip():
            attrib["title"] = image.title.strip()
        sub(parent, "img", attrib)
