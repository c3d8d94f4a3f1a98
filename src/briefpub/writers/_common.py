"""Helpers every writer shares: link policy, language, furniture text, attribution.

These encode product rules once (which URL schemes may become links, which
language a document is in, what the source attribution says) so the PDF, EPUB
and DOCX writers cannot drift apart.
"""

from __future__ import annotations

from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Publication

SAFE_SCHEMES = ("http://", "https://", "mailto:")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku-arab"})


def is_safe_url(url: str) -> bool:
    """True for http, https and mailto URLs: the only ones that may become links."""
    return url.strip().lower().startswith(SAFE_SCHEMES)


def document_language(doc: Document, style: StyleSheet) -> str:
    """The document's BCP 47 language, else the style sheet's default (never the locale)."""
    return doc.meta.language or style.paragraphs.language or "en"


def publication_language(pub: Publication, style: StyleSheet) -> str:
    """The pack's language, else its first article's."""
    if pub.pack is not None and pub.pack.language:
        return pub.pack.language
    return document_language(pub.documents[0], style)


def is_rtl_language(lang: str) -> bool:
    """True when ``lang`` (BCP 47) is written right to left."""
    primary = lang.lower().split("-")[0]
    return primary in RTL_LANGUAGES or lang.lower() in RTL_LANGUAGES


def marking_of(pub: Publication, doc: Document | None = None) -> str:
    """The protective marking to print: the article's, else the pack's."""
    if doc is not None and doc.meta.marking:
        return doc.meta.marking
    if pub.pack is not None:
        return pub.pack.marking
    return pub.documents[0].meta.marking


def header_text(style: StyleSheet, title: str) -> str:
    """The running header: the style's template with ``{title}`` filled in."""
    return style.furniture.header.replace("{title}", title)


def footer_text(style: StyleSheet, page: int | str, pages: int | str) -> str:
    """The footer: the style's template with ``{page}`` and ``{pages}`` filled in."""
    return style.furniture.footer.replace("{page}", str(page)).replace("{pages}", str(pages))


def byline(doc: Document) -> str:
    """"By A and B · 23 January 2017 · Outlet": the line under the title, or ``""``."""
    parts: list[str] = []
    authors = list(doc.meta.authors)
    if authors:
        names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + " and " + authors[-1]
        role = dict(doc.meta.extras).get("author_role", "")
        parts.append(f"By {names}, {role}" if role else f"By {names}")
    if doc.meta.date:
        parts.append(doc.meta.date)
    if doc.meta.source:
        parts.append(doc.meta.source)
    return " \u00b7 ".join(parts)


def attribution_lines(doc: Document) -> list[tuple[str, str]]:
    """The source attribution block as (label, value) rows; empty when nothing is known."""
    m = doc.meta
    rows: list[tuple[str, str]] = []
    if m.source:
        rows.append(("Source", m.source))
    if m.authors:
        rows.append(("Author", ", ".join(m.authors)))
    if m.date:
        rows.append(("Published", m.date))
    if m.url:
        rows.append(("Link", m.url))
    if m.retrieved:
        rows.append(("Retrieved", m.retrieved))
    return rows
