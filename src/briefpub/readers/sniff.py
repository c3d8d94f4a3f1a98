"""Guessing an input's format from its content (reader stage, before a reader is chosen).

Used only where nothing else names the format: standard input without ``--from``, and files
whose extension no reader claims (``page.php``, ``README``). A known extension always keeps
its reader, and ``--from`` always wins. The guess is reported (``reader.format-guessed``).

* HTML: after a byte-order mark, whitespace, ``<?xml ...?>`` and ``<!-- comments -->``, the
  content starts with ``<!DOCTYPE html``, ``<html``, ``<head``, ``<body`` or ``<article``.
* Markdown: YAML front matter (``---``, ``key: value`` lines, a closing ``---``), or an ATX
  heading (``# Title``) together with another Markdown construct (a link, emphasis, code, a
  list, a quote, a fence, a table rule) or as the first line.
* Anything else is plain text.
"""

from __future__ import annotations

import codecs
import re

from briefpub._lazyre import lazy_re

__all__ = ["sniff_format"]

#: Only the start of the input is looked at.
SNIFF_BYTES = 16 * 1024

_LEAD = lazy_re(r"\A(?:\s+|<\?xml[^>]*\?>|<!--.*?-->)*", re.S)
_HTML_START = lazy_re(r"<(?:!doctype\s+html|html|head|body|article)\b", re.I)
_FRONT_MATTER = lazy_re(
    r"\A---[ \t]*\r?\n"  # opening fence
    r"(?:[ \t]*(?:#.*|[A-Za-z_][\w -]*:.*|-\s.*|)\r?\n){1,60}?"  # key: value, list items, comments, blanks
    r"(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)"  # closing fence
)
_ATX = lazy_re(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
_CONSTRUCTS = (
    lazy_re(r"!?\[[^\]\n]+\]\([^)\s]+[^)\n]*\)"),  # [link](url), ![image](src)
    lazy_re(r"(\*\*|__)\S[^\n]*?\S\1"),  # **strong**
    lazy_re(r"`[^`\n]+`"),  # `code`
    lazy_re(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S", re.M),  # list items
    lazy_re(r"^ {0,3}>[ \t]?\S", re.M),  # quotes
    lazy_re(r"^ {0,3}(?:```|~~~)", re.M),  # fences
    lazy_re(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*\|", re.M),  # table rule
)


def _head_text(data: bytes) -> str:
    head = data[:SNIFF_BYTES]
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace")


def sniff_format(data: bytes) -> str:
    """``"html"``, ``"md"`` or ``"txt"`` for article bytes, from their first :data:`SNIFF_BYTES`."""
    text = _head_text(data)
    lead = _LEAD.match(text)
    rest = text[lead.end() if lead else 0:]
    if _HTML_START.match(rest):
        return "html"
    body = text.lstrip("\ufeff")
    if _FRONT_MATTER.match(body):
        return "md"
    headings = list(_ATX.finditer(body))
    if headings:
        first_line = body.lstrip().split("\n", 1)[0]
        if _ATX.match(first_line) or any(c.search(body) for c in _CONSTRUCTS):
            return "md"
    return "txt"
