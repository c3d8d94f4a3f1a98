"""The plain-text article reader (reader stage): structure from text pasted off the web.

Implements the grammar in ``docs/plain-text-grammar.md``. The text is split
into *chunks* (runs of non-blank lines; a line holding only spaces or no-break
spaces is blank). Then, in order:

1. site boilerplate is removed and reported: comment prompts, share links,
   "Related: ..." lists, copyright and "N comments" lines at the end, and
   "Advertisement" / "Related:" / "Read more:" lines anywhere
   (:mod:`briefpub.readers.common.boilerplate`);
2. the first chunk's first line is the title (further lines: the standfirst);
3. a bare URL line next to the title, a "By NAME" byline and a date line at
   the top move into the metadata (:mod:`briefpub.readers.common.bylines`,
   :mod:`briefpub.readers.common.datelines`);
4. every other chunk is classified: figure caption (the same sentence twice on
   one line, or "Photo: ..."), thematic break, subheading (short, no final
   punctuation, standing alone), "#" heading, "> " quote, list, or paragraph.

Whitespace is normalised (no-break spaces, padding, runs of spaces) and every
word of the input reaches the tree or a diagnostic. Apostrophes and quotes are
left exactly as written. Plain text has no markup: no images (a caption line is
a figure without one) and no language spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date
from briefpub.readers import ReadResult
from briefpub.readers.common.boilerplate import is_boilerplate, is_related_list_header, is_trailing_boilerplate
from briefpub.readers.common.bylines import parse_byline
from briefpub.readers.common.datelines import is_date_line, match_dateline
from briefpub.readers.common.decode import decode
from briefpub.readers.common.links import has_bare_url, linkify
from briefpub.readers.common.notes import Notes, read_result
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Figure,
    Heading,
    Inline,
    ListItem,
    Meta,
    OrderedList,
    Paragraph,
    Text,
    ThematicBreak,
)

# Whitespace that may pad a line or separate words; all of it becomes one space.
_SPACES = "\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\t\x0b\x0c"
_SPACE_RUN = lazy_re(f"[{_SPACES}]+")
_PAD = lazy_re(f"^[{_SPACES}]+|[{_SPACES}]+$")
_LEAD = lazy_re(f"^[{_SPACES}]+")
_CAPTION_SPLIT = lazy_re(f"[{_SPACES}]{{2,}}|\t")
_FINAL_PUNCT = tuple(".!?:;,…\"”’'»)]")
_WORD = lazy_re(r"[^\W\d_]+", re.UNICODE)

_BULLET = lazy_re(r"^[\u2022\u00b7\u25aa\u25cf\u2023\u2043\u25e6*\-\u2013\u2014]\s+(?P<text>\S.*)$")
_NUMBER = lazy_re(r"^(?:\((?P<p>\d{1,3})\)|(?P<n>\d{1,3})[.)])\s+(?P<text>\S.*)$")
_HASH_HEADING = lazy_re(r"^(?P<hashes>#{1,6})\s+(?P<text>\S.*?)\s*#*$")
_QUOTE = lazy_re(r"^>\s?(?P<text>.*)$")
_ATTRIBUTION = lazy_re(r"^(?:\u2014|\u2015|--|\u2013)\s*(?P<who>\S.*)$")
_BREAK = lazy_re(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}|(?:\u2022\s*){3,}|[\u2042\u25c6\u2766#~]{1,3})$")
_URL_LINE = lazy_re(r"^(?:(?:source|url|link|original)\s*:\s*)?(?P<url>https?://\S+)$", re.IGNORECASE)
_PHOTO = lazy_re(r"^(?:photo|photograph|picture|image|caption)\s*(?:\([^)]*\))?\s*:\s*\S", re.IGNORECASE)
_MAX_HEADING_CHARS = 90
_MAX_HEADING_WORDS = 12


@dataclass(slots=True)
class _Line:
    raw: str
    text: str  # normalised: padding removed, inner whitespace runs collapsed
    number: int  # 1-based line number in the input


@dataclass(slots=True)
class _Chunk:
    lines: list[_Line]
    blank_before: int  # blank lines before this chunk

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)

    @property
    def line(self) -> int:
        return self.lines[0].number


def normalise_space(value: str) -> str:
    """Collapse whitespace runs (no-break spaces included) to one space and strip padding."""
    return _SPACE_RUN.sub(" ", _PAD.sub("", value))


def _chunks(text: str) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    current: list[_Line] = []
    blanks = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        clean = normalise_space(raw)
        if not clean:
            if current:
                chunks.append(_Chunk(current, blanks))
                current, blanks = [], 0
            blanks += 1
            continue
        current.append(_Line(raw, clean, number))
    if current:
        chunks.append(_Chunk(current, blanks))
    return chunks


def _remove_boilerplate(chunks: list[_Chunk], notes: Notes) -> list[_Chunk]:
    """Drop site boilerplate lines (reported one by one); returns the remaining chunks."""

    def drop(line: _Line, why: str) -> None:
        notes.add("reader.boilerplate-removed", f"removed {why}", line.text, line.number)

    # Trailing run: whole chunks at the end that are boilerplate, plus a trailing
    # "Related:" header followed only by short headline lines.
    end = len(chunks)
    while end > 1:
        chunk = chunks[end - 1]
        if all(is_trailing_boilerplate(ln.text) for ln in chunk.lines):
            end -= 1
            continue
        header = next(
            (i for i in range(end - 1, max(end - 12, 0), -1) if len(chunks[i].lines) == 1
             and is_related_list_header(chunks[i].lines[0].text)),
            None,
        )
        if header is not None and header > 0 and all(
            len(ln.text.split()) <= 16 for c in chunks[header + 1 : end] for ln in c.lines
        ):
            end = header
            continue
        break
    trailing = chunks[end:]
    for chunk in trailing:
        for ln in chunk.lines:
            drop(ln, "site furniture at the end of the article")
    kept: list[_Chunk] = []
    for index, chunk in enumerate(chunks[:end]):
        lines = []
        for ln in chunk.lines:
            if index > 0 and is_boilerplate(ln.text):
                drop(ln, "site furniture")
            else:
                lines.append(ln)
        if lines:
            kept.append(_Chunk(lines, chunk.blank_before))
    return kept


def _duplicate_caption(line: str) -> tuple[str, str] | None:
    """(caption, removed copy) when a line holds the same sentence twice."""
    parts = [p for p in _CAPTION_SPLIT.split(line) if p.strip()]
    if len(parts) == 2:
        a, b = (normalise_space(p) for p in parts)
        if a.rstrip(".").casefold() == b.rstrip(".").casefold() and len(a.split()) >= 2:
            return a, b
    # Also the unpadded variant: "X X" where X has several words.
    words = line.split(" ")
    half, odd = divmod(len(words), 2)
    if not odd and half >= 4 and words[:half] == words[half:]:
        return " ".join(words[:half]), " ".join(words[half:])
    return None


def _is_subheading(chunk: _Chunk, is_last: bool) -> bool:
    """A single short line, capitalised, without final punctuation, not a list item or URL.

    Indentation, padding or extra blank lines above make it more likely but are
    not required: in pasted news text such a line standing alone is a subheading.
    """
    if len(chunk.lines) != 1 or is_last:
        return False
    line = chunk.lines[0]
    text = line.text
    if len(text) > _MAX_HEADING_CHARS or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    if text.endswith(_FINAL_PUNCT) or not (text[0].isupper() or text[0].isdigit()):
        return False
    if _BULLET.match(text) or _NUMBER.match(text) or has_bare_url(text):
        return False
    return _WORD.search(text) is not None


def _list_item(text: str) -> tuple[str, str, int] | None:
    """("bullet"|"number", item text, number) when a line starts a list item."""
    if m := _BULLET.match(text):
        return "bullet", m.group("text"), 0
    if m := _NUMBER.match(text):
        return "number", m.group("text"), int(m.group("n") or m.group("p"))
    return None


def _list_items(chunk: _Chunk) -> tuple[str, list[str], int] | None:
    """Parse a chunk whose every line is a list item (or a continuation of one)."""
    first = _list_item(chunk.lines[0].text)
    if first is None:
        return None
    kind, text, start = first
    items = [text]
    for ln in chunk.lines[1:]:
        item = _list_item(ln.text)
        if item is None:
            items[-1] += " " + ln.text
        elif item[0] != kind:
            return None
        else:
            items.append(item[1])
    return kind, items, start


def _make_list(kind: str, items: list[str], start: int) -> Block:
    list_items = tuple(ListItem((Paragraph(linkify(text)),)) for text in items)
    if kind == "bullet":
        return BulletList(list_items)
    return OrderedList(list_items, start=max(start, 1))


def _quote(chunk: _Chunk) -> BlockQuote | None:
    if not all(_QUOTE.match(ln.text) for ln in chunk.lines):
        return None
    texts = [m.group("text") for ln in chunk.lines if (m := _QUOTE.match(ln.text))]
    attribution: tuple[Inline, ...] = ()
    if len(texts) > 1 and (m := _ATTRIBUTION.match(texts[-1].strip())):
        attribution = (Text(m.group("who")),)
        texts = texts[:-1]
    body = normalise_space(" ".join(texts))
    paragraphs = (Paragraph(linkify(body)),) if body else ()
    return BlockQuote(paragraphs, attribution)


class TextReader:
    """Reads plain-text articles (see the module docstring and docs/plain-text-grammar.md)."""

    name = "txt"

    def read(self, data: bytes, *, source: str, base_dir: Path | None) -> ReadResult:
        """Decode and parse a plain-text article."""
        decoded = decode(data, source)
        notes = Notes(source, verbatim=True)
        return read_result(self.parse(decoded.text, notes), notes, decoded)

    def parse(self, text: str, notes: Notes) -> Document:
        """Parse decoded text (LF line ends) into a document."""
        chunks = _remove_boilerplate(_chunks(text), notes)
        meta: dict[str, object] = {}
        if not chunks:
            return Document(Meta())
        first = chunks.pop(0)
        meta["title"] = first.lines[0].text
        standfirst = []
        for line in first.lines[1:]:
            if (m := _URL_LINE.match(line.text)) and "url" not in meta:
                meta["url"] = m.group("url")
                notes.add("reader.metadata", "URL line moved into the document's url", line.text, line.number)
            else:
                standfirst.append(line.text)
        if standfirst:
            meta["subtitle"] = " ".join(standfirst)
        chunks = self._front_matter(chunks, meta, notes)
        blocks = list(self._blocks(chunks, meta, notes))
        return Document(Meta(**meta), tuple(blocks))  # type: ignore[arg-type]

    def _front_matter(self, chunks: list[_Chunk], meta: dict[str, object], notes: Notes) -> list[_Chunk]:
        """Take a URL line, a byline and a date line from the top of the article."""
        rest = list(chunks)
        for _ in range(3):
            if not rest or len(rest[0].lines) != 1:
                break
            line = rest[0].lines[0]
            if (m := _URL_LINE.match(line.text)) and "url" not in meta:
                meta["url"] = m.group("url")
                notes.add("reader.metadata", "URL line moved into the document's url", line.text, line.number)
            elif (by := parse_byline(line.text)) is not None and "authors" not in meta:
                authors, date, outlet, role = by
                meta["authors"] = tuple(authors)
                if role:
                    meta["extras"] = (("author_role", role),)
                if date:
                    meta["date"], meta["date_iso"] = date, parse_date(date) or ""
                if outlet:
                    meta["source"] = outlet
                notes.add("reader.byline", "byline moved into the document's authors", line.text, line.number)
            elif "date" not in meta and is_date_line(line.text):
                meta["date"], meta["date_iso"] = line.text, parse_date(line.text) or ""
                notes.add("reader.dateline", "date line moved into the document's date", line.text, line.number)
            else:
                break
            rest.pop(0)
        # A URL line at the very end is the source link, not body text.
        if rest and len(rest[-1].lines) == 1 and "url" not in meta and (m := _URL_LINE.match(rest[-1].text)):
            meta["url"] = m.group("url")
            line = rest.pop().lines[0]
            notes.add("reader.metadata", "URL line moved into the document's url", line.text, line.number)
        return rest

    def _blocks(self, chunks: list[_Chunk], meta: dict[str, object], notes: Notes) -> Iterator[Block]:
        pending: tuple[str, list[str], int] | None = None
        for index, chunk in enumerate(chunks):
            items = None if _BREAK.match(chunk.text) else _list_items(chunk)
            if items is not None:
                if pending is not None and pending[0] == items[0]:
                    pending[1].extend(items[1])
                else:
                    if pending is not None:
                        yield _make_list(*pending)
                    pending = items
                continue
            if pending is not None:
                yield _make_list(*pending)
                pending = None
            yield self._block(chunk, index == len(chunks) - 1, meta, notes)
        if pending is not None:
            yield _make_list(*pending)

    def _block(self, chunk: _Chunk, is_last: bool, meta: dict[str, object], notes: Notes) -> Block:
        text = chunk.text
        line = chunk.lines[0]
        if len(chunk.lines) == 1:
            if (dup := _duplicate_caption(_PAD.sub("", line.raw))) is not None:
                caption, copy = dup
                notes.add("reader.duplicate-caption", "caption pasted twice: kept once", copy, line.number)
                return Figure(caption=linkify(caption))
            if _BREAK.match(text):
                return ThematicBreak()
            if _PHOTO.match(text):
                return Figure(caption=linkify(text))
            if m := _HASH_HEADING.match(text):
                return Heading(len(m.group("hashes")), linkify(m.group("text")))
            if _is_subheading(chunk, is_last):
                notes.add("reader.heading-guess", "short standalone line taken as a subheading", text, line.number)
                return Heading(2, linkify(text))
        if (quote := _quote(chunk)) is not None:
            return quote
        if "date" not in meta and (dateline := match_dateline(text)) is not None:
            meta["date"], meta["date_iso"] = dateline.date, dateline.date_iso
            notes.add("reader.dateline", "dateline: date copied into the document's date", dateline.text, line.number)
        return Paragraph(linkify(text))


READER = TextReader()
