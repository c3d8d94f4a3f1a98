"""The web-page reader (reader stage): saved news pages -> the document tree.

Order of work, each step reporting what it removes or doubts:

1. decoding: byte-order mark, else the page's ``<meta charset>`` (or
   ``http-equiv`` / XML declaration), else detection
   (:func:`briefpub.readers._decode.decode_declared`);
2. safe parsing with lxml, no network, no entity expansion, depth-limited
   (:mod:`._parse`);
3. metadata from the head: Open Graph, ``article:``, ``<meta name=author>``,
   JSON-LD, canonical link, language (:mod:`._meta`);
4. active content removed: scripts, styles, frames, plug-ins, forms, event
   handlers (:func:`._parse.neutralise`);
5. main-content extraction: hidden elements, navigation, advertising, "most
   read" lists, comments, cookie banners and footers dropped (:mod:`._extract`);
6. conversion of the article to blocks, its header (headline, byline, date,
   standfirst) read into the metadata (:mod:`._convert`).

:func:`html_blocks` converts an HTML fragment without extraction (used by the
Markdown reader for raw HTML blocks).
"""

from __future__ import annotations

from pathlib import Path

from briefpub.errors import InputError
from briefpub.readers import ReadResult
from briefpub.readers._build import Notes, url_scheme
from briefpub.readers._decode import declared_html_charset, decode_declared
from briefpub.readers.html._convert import Converter
from briefpub.readers.html._extract import (
    drop_furniture_inside,
    drop_link_groups,
    drop_outside,
    find_container,
    remove_hidden,
)
from briefpub.readers.html._meta import page_meta
from briefpub.readers.html._parse import neutralise, parse_document, parse_fragment
from briefpub.tree import Block, Document, Meta, sanitise

__all__ = ["HtmlReader", "html_blocks"]


class HtmlReader:
    """Reads saved web pages (.html, .htm, .xhtml); see the module docstring."""

    name = "html"

    def read(self, data: bytes, *, source: str, base_dir: Path | None) -> ReadResult:
        """Decode, parse, clean and extract a web page."""
        decoded = decode_declared(data, source, declared_html_charset(data))
        notes = Notes(source)
        notes.items.extend(decoded.diagnostics)
        # lxml refuses XML-invalid characters: remove them first (reported by read_bytes).
        root = parse_document(sanitise(decoded.text, keep_newlines=True), source, notes)
        meta = page_meta(root, notes)
        base = meta.get("url", "")
        if not base:
            base_el = root.find("head/base")
            href = base_el.get("href", "") if base_el is not None else ""
            base = href if url_scheme(href) in ("http", "https") else ""
        neutralise(root, notes)
        remove_hidden(root, notes)
        container = find_container(root)
        drop_outside(container, notes)
        drop_furniture_inside(container, notes)
        drop_link_groups(container, notes)
        try:
            blocks = Converter(notes, base=base, meta=meta).document_blocks(container)
        except RecursionError:
            raise InputError(f"{source}: HTML nested too deeply to convert") from None
        document = Document(Meta(**meta), blocks)
        ordered = sorted(notes.items, key=lambda d: d.line or 0)
        return ReadResult(document, tuple(ordered), decoded.encoding)


def html_blocks(markup: str, notes: Notes, *, line_offset: int = 0) -> list[Block]:
    """Blocks for an HTML fragment: active content removed and reported, no extraction."""
    local = Notes(notes.source)
    body = parse_fragment(markup, notes.source, local)
    neutralise(body.getroottree().getroot(), local)
    remove_hidden(body.getroottree().getroot(), local)
    converter = Converter(local)
    try:
        blocks = converter.blocks(body, 0)
    except RecursionError:
        raise InputError(f"{notes.source}: HTML nested too deeply to convert") from None
    converter.finish()
    for d in local.items:
        line = (d.line or 1) + line_offset
        notes.add(d.code, d.message, d.text, line, d.severity)
    return blocks


READER = HtmlReader()
