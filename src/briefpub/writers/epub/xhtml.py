"""XHTML building blocks shared by every content document of the EPUB (writer stage).

Content documents are built element by element with lxml, so every string is
escaped by construction and the result is always well-formed, then serialised
without pretty-printing. The bytes are handed to ebooklib as they are:
ebooklib's own ``EpubHtml`` re-parses content with an HTML parser and
pretty-prints it, which silently drops text that sits directly in ``<body>``
and inserts spaces between adjacent inline elements (``<em>a</em><strong>b</strong>``
reads "a b"), so it never touches the markup (see ``book.py``).

This module holds what the article, front-matter, cover and navigation
documents share: namespaces, element helpers, the ``<html>`` skeleton with its
language and direction, the language-of-parts attributes, and labelled text
("Source: ...", with the colon each language uses). Structural ids the writer
adds itself always contain an underscore (``page_7``, ``key-points_title``) or
are one of the ids the ``ids`` transform reserves (``title``, ``key-points``,
``source``...), so they can never equal a heading id (``[a-z][a-z0-9-]*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from briefpub.language import is_rtl_language, normalise_tag, primary_subtag, valid_tag
from briefpub.writers.common.typography import tie_segments

__all__ = [
    "EPUB_NS",
    "EPUB_TYPE",
    "XHTML_NS",
    "XML_LANG",
    "XML_NS",
    "Language",
    "append_text",
    "html_root",
    "label_prefix",
    "mark_language",
    "q",
    "serialise",
    "sub",
]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
XML_LANG = f"{{{XML_NS}}}lang"
_NSMAP: dict[str | None, str] = {None: XHTML_NS, "epub": EPUB_NS}
_DOCTYPE = "<!DOCTYPE html>"
_VOID = frozenset({"br", "hr", "img", "link", "meta"})


def q(tag: str) -> str:
    """The qualified name of an XHTML element."""
    return f"{{{XHTML_NS}}}{tag}"


@dataclass(frozen=True, slots=True)
class Language:
    """A well-formed BCP 47 tag and its direction."""

    tag: str
    rtl: bool = False

    @property
    def direction(self) -> str:
        """``rtl`` or ``ltr``."""
        return "rtl" if self.rtl else "ltr"

    @staticmethod
    def of(tag: str, fallback: Language | None = None) -> Language | None:
        """The language of ``tag`` when it is well-formed, else ``fallback``."""
        clean = normalise_tag(tag)
        if clean and valid_tag(clean):
            return Language(clean, is_rtl_language(clean))
        return fallback


def sub(
    parent: etree._Element,
    tag: str,
    attrib: Mapping[str, str] | None = None,
    text: str | None = None,
    *,
    block: bool = False,
) -> etree._Element:
    """Append ``<tag>`` to ``parent``; block elements get a newline after them (readability only)."""
    el = etree.SubElement(parent, q(tag), dict(attrib or {}))
    if text:
        el.text = text
    elif tag not in _VOID:
        el.text = ""  # <div></div>, never <div/>: safe even for readers that parse content as HTML
    if block:
        el.tail = "\n"
    return el


def append_text(parent: etree._Element, text: str) -> None:
    """Append text at the end of ``parent``'s content (into the last child's tail if any)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def tie_last_words(element: etree._Element) -> etree._Element:
    """Tie ``element``'s last two words with a no-break space (a heading never ends on one word)."""
    # document order: a node's text, then its children, then its tail
    ordered: list[tuple[etree._Element, str]] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            ordered.append((node, "text"))
        for child in node:
            walk(child)
            if child.tail:
                ordered.append((child, "tail"))

    walk(element)
    texts = [getattr(node, attr) for node, attr in ordered]
    for (node, attr), old, new in zip(ordered, texts, tie_segments(texts), strict=True):
        if new != old:
            setattr(node, attr, new)
    return element


def mark_language(element: etree._Element, language: Language, around: Language) -> etree._Element:
    """Give ``element`` the ``lang``/``xml:lang`` (and ``dir``) of ``language`` where it differs from ``around``."""
    if language.tag.lower() != around.tag.lower():
        element.set("lang", language.tag)
        element.set(XML_LANG, language.tag)
    if language.rtl != around.rtl:
        element.set("dir", language.direction)
    return element


def label_prefix(label: str, language: str) -> str:
    """``label`` followed by the colon and space of ``language`` ("Source: ", "Source\u202f: ", "来源：")."""
    primary = primary_subtag(language)
    if primary == "fr":
        return f"{label}\u202f: "
    if primary in ("zh", "ja"):
        return f"{label}\uff1a"
    return f"{label}: "


def html_root(lang: Language, title: str, *, body_class: str, css: str) -> tuple[etree._Element, etree._Element]:
    """``<html>`` with head (title, CSS link) and an empty ``<body>``; returns (html, body)."""
    html = etree.Element(q("html"), nsmap=_NSMAP)  # type: ignore[arg-type]  # stubs lack the None key
    html.set("lang", lang.tag)
    html.set(XML_LANG, lang.tag)
    html.set("dir", lang.direction)
    html.text = "\n"
    head = sub(html, "head", block=True)
    head.text = "\n"
    sub(head, "title", text=title, block=True)
    sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": css}, block=True)
    classes = body_class + (" rtl" if lang.rtl else "")
    body = sub(html, "body", {"class": classes}, block=True)
    body.text = "\n"
    return html, body


def serialise(html: etree._Element) -> bytes:
    """The document's bytes: XML declaration, HTML5 doctype, no pretty-printing."""
    return etree.tostring(html, encoding="utf-8", xml_declaration=True, doctype=_DOCTYPE) + b"\n"
