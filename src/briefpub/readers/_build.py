"""Tree-building helpers shared by the Markdown and HTML readers (reader stage).

Both readers turn a parsed syntax tree into :mod:`briefpub.tree` nodes and must
agree on the small rules that make their output equivalent: how whitespace
between inline runs collapses, which URLs may become links or images, how a
quotation's attribution is recognised, when a heading repeats the title, and
how deep nesting is flattened. Diagnostics are collected by :class:`Notes`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias
from urllib.parse import urljoin, urlsplit

from briefpub.diagnostics import Diagnostic, Severity
from briefpub.tree import Code, Emphasis, Inline, LineBreak, Link, Strong, Text

#: Quotations and lists nested deeper than this are flattened into their parent.
MAX_BLOCK_DEPTH = 10
#: Inline formatting (emphasis in emphasis...) deeper than this is dropped, text kept.
MAX_INLINE_DEPTH = 10
#: Longest excerpt of removed text quoted in a diagnostic.
EXCERPT = 120

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore these inside URLs ("java\tscript:")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
_DASH = re.compile(r"^\s*(?:\u2014|\u2015|\u2013|--)\s*")
_COMPARE_JUNK = re.compile(r"[\s\u00a0]+")


class SoftBreak:
    """A line end inside a paragraph (rendered as a space); only used before normalising."""


SOFT = SoftBreak()
RawInline: TypeAlias = Inline | SoftBreak


@dataclass(slots=True)
class Notes:
    """Diagnostics collected while reading one input."""

    source: str
    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        code: str,
        message: str,
        text: str = "",
        line: int | None = None,
        severity: Severity = "info",
    ) -> None:
        """Record a diagnostic; ``text`` is whitespace-collapsed and cut to :data:`EXCERPT` characters."""
        self.items.append(Diagnostic(code, message, excerpt(text), self.source, line, severity))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` with whitespace collapsed, cut to ``limit`` characters (with an ellipsis)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


# ----------------------------------------------------------------------------- URLs


def _clean_url(url: str) -> str:
    return _URL_JUNK.sub("", url)


def url_scheme(url: str) -> str:
    """The lower-case scheme of ``url`` as a browser would see it ("" when relative)."""
    m = _SCHEME.match(_clean_url(url))
    return m.group(1).lower() if m else ""


def link_target(href: str, base: str = "") -> tuple[str, str]:
    """Decide what a link may point to: ``(url, "")`` or ``("", problem)``.

    ``problem`` is ``"unsafe"`` (a scheme other than http, https and mailto, such
    as ``javascript:`` or ``data:``), ``"fragment"`` (an in-page anchor), or
    ``"relative"`` (a relative URL with no http(s) ``base`` to resolve it
    against). Relative URLs are resolved against ``base`` when there is one.
    """
    url = href.strip()
    if not url:
        return "", "fragment"
    scheme = url_scheme(url)
    if scheme:
        return (url, "") if scheme in SAFE_LINK_SCHEMES else ("", "unsafe")
    if url.startswith("#"):
        return "", "fragment"
    if url_scheme(base) in ("http", "https"):
        resolved = urljoin(base, url)
        if url_scheme(resolved) in ("http", "https") and urlsplit(resolved).netloc:
            return resolved, ""
    if url.startswith("//") and len(url) > 2:
        return "https:" + url, ""
    return "", "relative"


def shows_url(text: str, href: str) -> bool:
    """True when a link's visible text is (a form of) its own URL, as in autolinks."""
    shown = _clean_url(text).lower()
    return bool(shown) and (shown == _clean_url(href).lower() or url_scheme(shown) == url_scheme(href) != "")


def image_source(src: str) -> tuple[str, str]:
    """Decide whether an image reference may be kept: ``(src, "")`` or ``("", problem)``.

    Relative paths and http(s) URLs are kept exactly as written (the pipeline
    reads local files itself and never fetches remote ones). ``data:`` images
    give ``"data"``; any other scheme (``javascript:``, ``file:``...) ``"unsafe"``.
    """
    ref = src.strip()
    if not ref:
        return "", "empty"
    scheme = url_scheme(ref)
    if scheme == "data":
        return "", "data"
    if scheme and scheme not in ("http", "https"):
        return "", "unsafe"
    return ref, ""


# ----------------------------------------------------------------------------- inlines


def normalise_inlines(nodes: Sequence[RawInline], *, collapse: bool = True) -> tuple[Inline, ...]:
    """Tidy a run of inlines the way a browser lays them out.

    Whitespace runs collapse to one space across node boundaries (no-break
    spaces are kept), soft breaks become spaces, leading and trailing
    whitespace and line breaks go, adjacent text merges, and empty emphasis,
    strong and links disappear. With ``collapse=False`` (preformatted text)
    only soft breaks are turned into spaces.
    """
    state = [True]  # "the last character emitted was a space" (True at the start)
    out = _collapse(list(nodes), state, collapse)
    return tuple(_strip_end(out))


def _append_text(out: list[Inline], text: str) -> None:
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))


def _collapse(nodes: Sequence[RawInline], state: list[bool], collapse: bool) -> list[Inline]:
    out: list[Inline] = []
    for node in nodes:
        match node:
            case SoftBreak():
                if not state[0]:
                    _append_text(out, " ")
                    state[0] = True
            case Text(text=t):
                if collapse:
                    t = _ASCII_SPACE.sub(" ", t)
                    if state[0]:
                        t = t.lstrip(" ")
                if t:
                    _append_text(out, t)
                    state[0] = t.endswith(" ")
            case LineBreak():
                if out and isinstance(out[-1], Text):
                    stripped = out[-1].text.rstrip(" ")
                    if stripped:
                        out[-1] = Text(stripped)
                    else:
                        out.pop()
                if out:  # a break at the very start of a paragraph shows nothing
                    out.append(LineBreak())
                state[0] = True
            case Code():
                text = _ASCII_SPACE.sub(" ", node.text) if collapse else node.text
                if text.strip():
                    out.append(Code((Text(text),)))
                    state[0] = False
            case Emphasis(children=c) | Strong(children=c) | Link(children=c):
                inner = _collapse(list(c), state, collapse)
                # Spaces at the edges of emphasis or a link belong outside it.
                lead = bool(inner) and isinstance(inner[0], Text) and inner[0].text.startswith(" ")
                if lead:
                    _append_text(out, " ")
                    inner = _strip_start(inner)
                trail = bool(inner) and isinstance(inner[-1], Text) and inner[-1].text.endswith(" ")
                if trail:
                    last = inner[-1].text.rstrip(" ")  # type: ignore[union-attr]
                    inner = inner[:-1] + ([Text(last)] if last else [])
                if inner:
                    if isinstance(node, Link):
                        out.append(Link(node.url, tuple(inner), node.title))
                    else:
                        out.append(type(node)(tuple(inner)))
                if trail:
                    _append_text(out, " ")
    return out


def _strip_start(nodes: list[Inline]) -> list[Inline]:
    if nodes and isinstance(nodes[0], Text):
        rest = nodes[0].text.lstrip(" ")
        return [Text(rest), *nodes[1:]] if rest else nodes[1:]
    return nodes


def _strip_end(nodes: list[Inline]) -> list[Inline]:
    """Remove trailing whitespace and line breaks (descending into the last node)."""
    while nodes:
        last = nodes[-1]
        match last:
            case LineBreak():
                nodes.pop()
                continue
            case Text(text=t):
                stripped = t.rstrip(" ")
                if not stripped:
                    nodes.pop()
                    continue
                nodes[-1] = Text(stripped)
            case Emphasis(children=c) | Strong(children=c):
                inner = _strip_end(list(c))
                if not inner:
                    nodes.pop()
                    continue
                nodes[-1] = type(last)(tuple(inner))
            case Link(children=c):
                inner = _strip_end(list(c))
                if not inner:
                    nodes.pop()
                    continue
                nodes[-1] = Link(last.url, tuple(inner), last.title)
        break
    return nodes


def strip_leading_dash(nodes: tuple[Inline, ...]) -> tuple[Inline, ...] | None:
    """The inlines without a leading em dash / ``--``, or None when they do not start with one."""
    if not nodes or not isinstance(nodes[0], Text):
        return None
    m = _DASH.match(nodes[0].text)
    if not m:
        return None
    rest = nodes[0].text[m.end() :]
    if not rest.strip() and len(nodes) == 1:
        return None
    return normalise_inlines(((Text(rest),) if rest else ()) + nodes[1:])


def comparable(text: str) -> str:
    """A form of ``text`` for "is this the same line?" checks (case and spacing ignored)."""
    return _COMPARE_JUNK.sub(" ", text).strip().rstrip(".:").casefold()
