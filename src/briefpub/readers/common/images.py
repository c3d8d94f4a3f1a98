"""Images: which sources are kept, and figure or inline image (reader stage, shared by the readers).

The rule every reader follows:

- an image standing on a line of its own in a paragraph (at the top level, in
  a list item or in a quotation) becomes a :class:`~briefpub.tree.Figure`:
  the whole paragraph is images, or a line of it between hard line breaks
  (``<br>``, a Markdown hard break) is; several images on that line give one
  figure each, a link around an image is not kept (a figure has none), and the
  paragraph's other lines stay paragraphs before and after the figures;
- any other image, one with text before or after it on the same line, in a
  table cell, a caption or an attribution, stays where it is as an inline
  :class:`~briefpub.tree.Image`;
- an image in a heading is taken out of it and follows the heading as a figure
  (a heading is also a contents entry and a bookmark: text only).

While a run is being read, an image whose source was refused (``data:``,
``javascript:``, none at all) is an ``Image`` with an empty ``src``: as a figure
it keeps its alt text as the caption, inline its alt text is kept as text
(:func:`refused_as_text`). The refusal itself is reported by the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from briefpub.readers.common.inlines import normalise_inlines
from briefpub.readers.common.links import url_scheme
from briefpub.tree import Code, Image, Inline, LineBreak, Paragraph, Text, iter_inlines, map_inlines


def image_source(src: str) -> tuple[str, str]:
    """Decide whether an image reference may be kept: ``(src, "")`` or ``("", problem)``.

    Relative paths and http(s) URLs are kept exactly as written (the pipeline
    reads local files itself and never fetches remote ones). ``data:`` images
    give ``"data"``; any other scheme (``javascript:``, ``file:``...) ``"unsafe"``;
    no source at all ``"empty"``.
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


def _nodes(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline node of a run, outer before inner (the tree's own walk)."""
    return iter_inlines((Paragraph(inlines),))


def _mapped(inlines: tuple[Inline, ...], fn: Callable[[Inline], Inline]) -> tuple[Inline, ...]:
    """A run rebuilt through ``fn`` (the tree's own walk), tidied again."""
    block = map_inlines((Paragraph(inlines),), fn)[0]
    assert isinstance(block, Paragraph)
    return normalise_inlines(block.children)


def images_only(inlines: tuple[Inline, ...]) -> tuple[Image, ...] | None:
    """The images of a run that holds nothing else (spaces and line breaks aside), else None.

    Images inside links, emphasis or language spans count; any text or code does not.
    """
    found: list[Image] = []
    for node in _nodes(inlines):
        if isinstance(node, Image):
            found.append(node)
        elif isinstance(node, Code) or (isinstance(node, Text) and node.text.strip()):
            return None
    return tuple(found) or None


class Part(NamedTuple):
    """A piece of a paragraph: lines of text (``inlines``), or images standing on their own line."""

    inlines: tuple[Inline, ...]
    images: tuple[Image, ...] = ()


def paragraph_parts(inlines: tuple[Inline, ...]) -> list[Part]:
    """A paragraph's runs of text lines and its images on lines of their own, in reading order."""
    if not any(isinstance(n, Image) for n in _nodes(inlines)):
        return [Part(inlines)] if inlines else []
    lines: list[list[Inline]] = [[]]
    for node in inlines:
        if isinstance(node, LineBreak):
            lines.append([])
        else:
            lines[-1].append(node)
    parts: list[Part] = []
    text: list[Inline] = []
    for line in lines:
        images = images_only(tuple(line))
        if images is None:
            text.extend([LineBreak(), *line] if text else line)
            continue
        if text:
            parts.append(Part(normalise_inlines(text)))
            text = []
        parts.append(Part((), images))
    if text:
        parts.append(Part(normalise_inlines(text)) if parts else Part(inlines))
    return [part for part in parts if part.inlines or part.images]


def refused_as_text(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """``inlines`` with every image that has no source replaced by its alt text (or nothing)."""
    if not any(isinstance(n, Image) and not n.src for n in _nodes(inlines)):
        return inlines
    return _mapped(inlines, lambda n: Text(n.alt) if isinstance(n, Image) and not n.src else n)


def take_images(inlines: tuple[Inline, ...]) -> tuple[tuple[Inline, ...], tuple[Image, ...]]:
    """``(inlines without their images, the images)``: for headings, whose images become figures."""
    images = tuple(n for n in _nodes(inlines) if isinstance(n, Image))
    if not images:
        return inlines, ()
    return _mapped(inlines, lambda n: Text("") if isinstance(n, Image) else n), images


def alt_text(inlines: tuple[Inline, ...]) -> str:
    """The plain text of ``inlines`` with images read as their alt text, whitespace collapsed."""
    parts: list[str] = []
    for node in _nodes(inlines):
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Image):
            parts.append(node.alt)
        elif isinstance(node, LineBreak):
            parts.append(" ")
    return " ".join("".join(parts).split())
