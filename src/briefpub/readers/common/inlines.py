"""Tidying runs of inlines the way a browser lays them out (reader stage, shared by the readers).

The Markdown and HTML readers turn a parsed syntax tree into
:mod:`briefpub.tree` inlines and must agree on how whitespace between inline
runs collapses, where spaces at the edges of emphasis, links and language spans
go, and how a quotation's em-dash attribution is recognised, so that the same
article in both forms gives the same tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeAlias

from briefpub._lazyre import lazy_re
from briefpub.tree import Code, Emphasis, Image, Inline, LineBreak, Link, Span, Strong, Text

_ASCII_SPACE = lazy_re(r"[ \t\n\r\f]+")
_DASH = lazy_re(r"^\s*(?:\u2014|\u2015|\u2013|--)\s*")


class SoftBreak:
    """A line end inside a paragraph (rendered as a space); only used before normalising."""


SOFT = SoftBreak()
RawInline: TypeAlias = Inline | SoftBreak


def normalise_inlines(nodes: Sequence[RawInline], *, collapse: bool = True) -> tuple[Inline, ...]:
    """Tidy a run of inlines the way a browser lays them out.

    Whitespace runs collapse to one space across node boundaries (no-break
    spaces are kept), soft breaks become spaces, leading and trailing
    whitespace and line breaks go, adjacent text merges, and empty emphasis,
    strong, links and language spans disappear (an image is content); language
    spans side by side in the same language become one. With ``collapse=False`` (preformatted text)
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
            case Image():
                out.append(node)
                state[0] = False
            case Emphasis(children=c) | Strong(children=c) | Link(children=c) | Span(children=c):
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
                if inner and not (isinstance(node, Span) and _joined(out, node.lang, inner)):
                    out.append(_rebuilt(node, inner))
                if trail:
                    _append_text(out, " ")
    return out


def _joined(out: list[Inline], lang: str, inner: list[Inline]) -> bool:
    """Add ``inner`` to a span in ``lang`` just before it (side by side, or a space apart), if there is one."""
    if out and isinstance(out[-1], Span) and out[-1].lang == lang:
        out[-1] = Span(out[-1].children + tuple(inner), lang)
        return True
    before = out[-2] if len(out) > 1 else None
    if isinstance(before, Span) and before.lang == lang and out[-1] == Text(" "):
        space = out.pop()
        out[-1] = Span((*before.children, space, *inner), lang)
        return True
    return False


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
            case Emphasis(children=c) | Strong(children=c) | Link(children=c) | Span(children=c):
                inner = _strip_end(list(c))
                if not inner:
                    nodes.pop()
                    continue
                nodes[-1] = _rebuilt(last, inner)
        break
    return nodes


def _rebuilt(node: Emphasis | Strong | Link | Span, children: list[Inline]) -> Inline:
    """``node`` with other children (its URL, title or language kept)."""
    return replace(node, children=tuple(children))


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
