"""The web-page reader (reader stage): saved news pages -> the document tree.

Order of work, each step reporting what it removes or doubts:

1. decoding: byte-order mark, else the page's ``<meta charset>`` (or
   ``http-equiv`` / XML declaration; UTF-8 when the declared charset fails and
   UTF-8 does not), else detection
   (:func:`briefpub.readers.common.decode.decode_declared`);
2. safe parsing with lxml, no network, no entity expansion, depth-limited
   (:mod:`._parse`);
3. metadata from the head: Open Graph, ``article:``, ``<meta name=author>``,
   JSON-LD, canonical link, language (:mod:`._meta`);
4. active content removed: scripts, styles, frames, plug-ins, forms, event
   handlers (:func:`._parse.neutralise`);
5. main-content extraction: hidden elements, navigation, advertising, "most
   read" lists, comments, cookie banners, footers, teaser lists and galleries
   dropped, each with its size and place in the page (:mod:`._extract`);
6. conversion of the article to blocks, its header (headline, byline, date,
   standfirst) read into the metadata, in-page links pointed at headings,
   ``lang`` attributes read as language spans (:mod:`._convert`).

:func:`html_blocks` converts an HTML fragment without extraction (used by the
Markdown reader for raw HTML blocks).
"""

from __future__ import annotations

from pathlib import Path

from briefpub.errors import InputError
from briefpub.readers import ReadResult
from briefpub.readers.common.decode import declared_html_charset, decode_declared
from briefpub.readers.common.links import url_scheme
from briefpub.readers.common.notes import Notes, read_result
from briefpub.readers.html._convert import Converter, page_anchors
from briefpub.readers.html._extract import (
    drop_after,
    drop_boilerplate_inside,
    drop_link_groups,
    drop_outside,
    find_container,
    page_stats,
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
        # lxml refuses XML-invalid characters: remove them first (reported by read_bytes).
        root = parse_document(sanitise(decoded.text, keep_newlines=True), source, notes)
        meta = page_meta(root, notes)
        base = meta.get("url", "")
        if not base:
            base_el = root.find("head/base")
            href = base_el.get("href", "") if base_el is not None else ""
            base = href if url_scheme(href) in ("http", "https") else ""
        anchors = page_anchors(root)  # before extraction: a link may name a part it removes
        neutralise(root, notes)
        remove_hidden(root, notes)
        stats = page_stats(root)
        container, text_block = find_container(root, stats)
        drop_outside(container, notes)
        drop_after(container, text_block, notes)
        drop_boilerplate_inside(container, notes, stats)
        drop_link_groups(container, notes, stats)
        try:
            blocks = Converter(notes, base=base, meta=meta, anchors=anchors).document_blocks(container)
        except RecursionError:
            raise InputError(f"{source}: HTML nested too deeply to convert") from None
        return read_result(Document(Meta(**meta), blocks), notes, decoded)


def html_blocks(markup: str, notes: Notes, *, line_offset: int = 0, language: str = "") -> list[Block]:
    """Blocks for an HTML fragment in a document in ``language``: active content removed and
    reported, no extraction."""
    local = Notes(notes.source)
    body = parse_fragment(markup, notes.source, local)
    anchors = page_anchors(body)
    neutralise(body.getroottree().getroot(), local)
    remove_hidden(body.getroottree().getroot(), local)
    converter = Converter(local, language=language, anchors=anchors)
    try:
        blocks = converter.fragment_blocks(body)
    except RecursionError:
        raise InputError(f"{notes.source}: HTML nested too deeply to convert") from None
    converter.finish()
    for d in local.items:
        line = (d.line or 1) + line_offset
        notes.add(d.code, d.message, d.text, line, d.severity)
    return blocks


READER = HtmlReader()
