"""Inlines as styled runs: the one inline walk the writers share (writers' shared layer).

:func:`flatten` turns a tree of inlines into a flat list of runs, each carrying
the formatting in force: bold, italic, code, the language of a foreign span and
the resolved link target. The typographic rules are decided here, once:

* emphasis inside emphasis toggles back to roman (``*a _b_ c*`` sets *b* upright),
  as typesetters do, in every format;
* a link inside a link is not a second link (its text belongs to the outer one);
* a link the policy refuses (:mod:`.links`) keeps its text and is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeAlias, assert_never

from briefpub.diagnostics import Diagnostic
from briefpub.tree import Code, Emphasis, Image, Inline, LineBreak, Link, Span, Strong, Text
from briefpub.writers.common.links import External, Internal, LinkTarget, Refused, refusal_diagnostic

__all__ = ["BreakRun", "ImageRun", "Run", "RunStyle", "TextRun", "flatten"]


@dataclass(frozen=True, slots=True)
class RunStyle:
    """Formatting in force for a run. ``link_id`` numbers the links of one flatten call from 1."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    lang: str = ""
    link: External | Internal | None = None
    link_title: str = ""
    link_id: int = 0


@dataclass(frozen=True, slots=True)
class TextRun:
    """Text set in one style."""

    text: str
    style: RunStyle


@dataclass(frozen=True, slots=True)
class BreakRun:
    """A hard line break."""

    style: RunStyle


@dataclass(frozen=True, slots=True)
class ImageRun:
    """An inline image (its ``src`` is a resource key)."""

    image: Image
    style: RunStyle


Run: TypeAlias = TextRun | BreakRun | ImageRun


def flatten(
    inlines: tuple[Inline, ...],
    resolve: Callable[[str], LinkTarget],
    diagnostics: list[Diagnostic],
    base: RunStyle | None = None,
) -> list[Run]:
    """The runs of ``inlines``, adjacent text in one style merged; refused links reported."""
    out: list[Run] = []
    counter = [0]

    def emit(run: Run) -> None:
        if isinstance(run, TextRun) and out:
            last = out[-1]
            if isinstance(last, TextRun) and last.style == run.style:
                out[-1] = TextRun(last.text + run.text, run.style)
                return
        out.append(run)

    def walk(nodes: tuple[Inline, ...], style: RunStyle) -> None:
        for node in nodes:
            match node:
                case Text(text=text):
                    if text:
                        emit(TextRun(text, style))
                case Emphasis(children=children):
                    walk(children, replace(style, italic=not style.italic))
                case Strong(children=children):
                    walk(children, replace(style, bold=True))
                case Code(children=children):
                    walk(children, replace(style, code=True))
                case Span(children=children, lang=lang):
                    walk(children, replace(style, lang=lang) if lang else style)
                case Link(url=url, children=children, title=title):
                    if style.link is not None:
                        walk(children, style)
                        continue
                    target = resolve(url)
                    if isinstance(target, Refused):
                        diagnostics.append(refusal_diagnostic(url, target))
                        walk(children, style)
                        continue
                    counter[0] += 1
                    walk(children, replace(style, link=target, link_title=title, link_id=counter[0]))
                case LineBreak():
                    out.append(BreakRun(style))
                case Image():
                    out.append(ImageRun(node, style))
                case _:
                    assert_never(node)

    walk(inlines, base or RunStyle())
    return out
