"""The plain-text article reader (reader stage): structure from text pasted off the web.

Implements the grammar in ``docs/plain-text-grammar.md``. The text is split
into *chunks* (runs of non-blank lines; a line holding only spaces or no-break
spaces is blank). Then, in order:

1. site furniture is removed and reported: comment prompts, share links,
   "Related: ..." lists, copyright and "N comments" lines at the end, and
   "Advertisement" / "Related:" / "Read more:" lines anywhere;
2. the first chunk's first line is the title (further lines: the standfirst);
3. a bare URL line next to the title, a "By NAME" byline and a date line at
   the top move into the metadata;
4. every other chunk is classified: figure caption (the same sentence twice on
   one line, or "Photo: ..."), thematic break, subheading (short, no final
   punctuation, standing alone), "#" heading, "> " quote, list, or paragraph.

Whitespace is normalised (no-break spaces, padding, runs of spaces) and every
word of the input reaches the tree or a diagnostic. Apostrophes and quotes are
left exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from briefpub.dates import parse_date
from briefpub.diagnostics import Diagnostic
from briefpub.readers import ReadResult
from briefpub.readers._decode import decode
from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Figure,
    Heading,
    Inline,
    Link,
    ListItem,
    Meta,
    OrderedList,
    Paragraph,
    Text,
    ThematicBreak,
)

# Whitespace that may pad a line or separate words; all of it becomes one space.
_SPACES = "\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\t\x0b\x0c"
_SPACE_RUN = re.compile(f"[{_SPACES}]+")
_PAD = re.compile(f"^[{_SPACES}]+|[{_SPACES}]+$")
_LEAD = re.compile(f"^[{_SPACES}]+")
_CAPTION_SPLIT = re.compile(f"[{_SPACES}]{{2,}}|\t")
_FINAL_PUNCT = tuple(".!?:;,…\"”’'»)]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25cf\u2023\u2043\u25e6*\-\u2013\u2014]\s+(?P<text>\S.*)$")
_NUMBER = re.compile(r"^(?:\((?P<p>\d{1,3})\)|(?P<n>\d{1,3})[.)])\s+(?P<text>\S.*)$")
_HASH_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>\S.*?)\s*#*$")
_QUOTE = re.compile(r"^>\s?(?P<text>.*)$")
_ATTRIBUTION = re.compile(r"^(?:\u2014|\u2015|--|\u2013)\s*(?P<who>\S.*)$")
_BREAK = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}|(?:\u2022\s*){3,}|[\u2042\u25c6\u2766#~]{1,3})$")
_URL_LINE = re.compile(r"^(?:(?:source|url|link|original)\s*:\s*)?(?P<url>https?://\S+)$", re.IGNORECASE)
_INLINE_URL = re.compile(r"https?://[^\s<>\"]+")
_PHOTO = re.compile(r"^(?:photo|photograph|picture|image|caption)\s*(?:\([^)]*\))?\s*:\s*\S", re.IGNORECASE)
_BYLINE = re.compile(r"^by\s+(?P<rest>\S.*)$", re.IGNORECASE)
_NAME = re.compile(
    r"^(?:[A-Z\u00c0-\u024f][\w.'\u2019\-]*|de|da|van|von|der|al|el|bin|la|le|du)"
    r"(?:\s+(?:[A-Z\u00c0-\u024f][\w.'\u2019\-]*|de|da|van|von|der|al|el|bin|la|le|du)){0,5}$"
)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'\-]{1,40}),\s+"
    r"(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?)\s*(?:\u2014|\u2013|--|-)\s+"
)

# Furniture: removed wherever it stands.
FURNITURE_ANYWHERE = re.compile(
    r"^(?:advertisement|advert|sponsored( content)?|"
    r"(?:related|see also|read more|read also|more on this( story)?|recommended)\s*:.*|"
    r"share this (?:article|story|page|post)(?: on .*)?|"
    r"(?:click|tap) here to .*)$",
    re.IGNORECASE,
)
# Furniture: removed when it trails the article.
FURNITURE_TRAILING = re.compile(
    r"^(?:(?:add|post|leave|write|submit)( a| new| your)? comments?.*|"
    r"have your say.*|join the (?:conversation|discussion).*|"
    r"(?:view|show|hide|load|read) (?:all )?\d* ?comments?.*|"
    r"\d+\s+comments?|comments?(?:\s*\(\d+\))?|no comments( yet)?\.?|"
    r"(?:please )?read our comment(?:s|ing)? (?:policy|guidelines).*|comment(?:s|ing)? (?:policy|guidelines).*|"
    r"share(?: this)?(?: (?:article|story|page))?:?|share on .*|"
    r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|email|e-mail|print|tweet|pin it)"
    r"(?:\s*[|/\u00b7,]\s*(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|email|e-mail|print|tweet|pin it))*|"
    r"(?:\u00a9|\(c\)|copyright\b).*|all rights reserved.*|"
    r"(?:follow us|subscribe|sign up)\b.*(?:newsletter|twitter|facebook|updates|on\b).*|"
    r"(?:tags?|topics?|filed under|categories)\s*:.*|"
    r"related(?: (?:articles|stories|coverage|content|news|posts))?:?|"
    r"more (?:from|stories|news|in)\b.*|you (?:may|might) also like.*|most (?:read|popular|viewed)\b.*|"
    r"report (?:an )?(?:error|typo).*|top of page|back to top)$",
    re.IGNORECASE,
)
# A header after which a trailing list of short headline lines is furniture too.
RELATED_LIST_HEADER = re.compile(
    r"^(?:related(?: (?:articles|stories|coverage|content|news|posts))?|read more|more (?:from|stories|on).*|"
    r"you (?:may|might) also like|most (?:read|popular|viewed)|recommended(?: for you)?|see also)\s*:?$",
    re.IGNORECASE,
)

_MAX_HEADING_CHARS = 90
_MAX_HEADING_WORDS = 12


@dataclass(slots=True)
class _Line:
    raw: str
    text: str  # normalised: padding removed, inner whitespace runs collapsed
    number: int  # 1-based line number in the input

    @property
    def indented(self) -> bool:
        """True when the line starts with padding (spaces, no-break spaces, tabs)."""
        return _LEAD.match(self.raw) is not None


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


@dataclass(slots=True)
class _State:
    source: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def note(self, code: str, message: str, text: str, line: int, severity: str = "info") -> None:
        self.diagnostics.append(
            Diagnostic(code, message, text=text, source=self.source, line=line, severity=severity)  # type: ignore[arg-type]
        )


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


def _remove_furniture(chunks: list[_Chunk], state: _State) -> list[_Chunk]:
    """Drop furniture lines (reported one by one); returns the remaining chunks."""

    def drop(line: _Line, why: str) -> None:
        state.note("reader.boilerplate-removed", f"removed {why}", line.text, line.number)

    # Trailing run: whole chunks at the end that are furniture, plus a trailing
    # "Related:" header followed only by short headline lines.
    end = len(chunks)
    while end > 1:
        chunk = chunks[end - 1]
        if all(FURNITURE_TRAILING.match(ln.text) or FURNITURE_ANYWHERE.match(ln.text) for ln in chunk.lines):
            end -= 1
            continue
        header = next(
            (i for i in range(end - 1, max(end - 12, 0), -1) if len(chunks[i].lines) == 1
             and RELATED_LIST_HEADER.match(chunks[i].lines[0].text)),
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
            if index > 0 and FURNITURE_ANYWHERE.match(ln.text):
                drop(ln, "site furniture")
            else:
                lines.append(ln)
        if lines:
            kept.append(_Chunk(lines, chunk.blank_before))
    return kept


def linkify(text: str) -> tuple[Inline, ...]:
    """Plain text to inlines, with bare http(s) URLs made into links."""
    out: list[Inline] = []
    pos = 0
    for m in _INLINE_URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?)]}\u2019\u201d'\"")
        start, end = m.start(), m.start() + len(url)
        if start > pos:
            out.append(Text(text[pos:start]))
        out.append(Link(url, (Text(url),)))
        pos = end
    if pos < len(text):
        out.append(Text(text[pos:]))
    return tuple(out)


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
    if _BULLET.match(text) or _NUMBER.match(text) or _INLINE_URL.search(text):
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


_ROLE_WORDS = re.compile(
    r"\b(?:reporter|correspondent|editor|writer|journalist|staff|columnist|analyst|contributor|"
    r"producer|photographer|chief|senior|political|foreign|diplomatic|economics|defence|defense|"
    r"security|science|health|business|bureau)\b",
    re.IGNORECASE,
)


class Byline(NamedTuple):
    """A parsed byline: author names, a date and an outlet as written, and the authors' role."""

    authors: list[str]
    date: str
    source: str
    role: str


def parse_byline(text: str) -> Byline | None:
    """The parts of a whole "By NAME[, NAME and NAME][, Role][, date|| outlet]" line, else None.

    A piece after a comma that names a job ("Chief Reporter", "Diplomatic Correspondent") is
    the role, not another author.
    """
    m = _BYLINE.match(text)
    if not m or len(text) > 160:
        return None
    parts = [p.strip() for p in re.split(r"\s*[|\u00b7\u2022]\s*|\s+[\u2013\u2014-]\s+", m.group("rest")) if p.strip()]
    names_part, extras = parts[0], parts[1:]
    # Trailing ", Role", ", date" or ", Outlet" inside the first part.
    pieces = [p.strip() for p in names_part.split(",")]
    authors: list[str] = []
    date = source = role = ""
    for i, piece in enumerate(pieces):
        if i > 0 and authors and not role and _ROLE_WORDS.search(piece) and len(piece.split()) <= 5:
            role = piece
            continue
        for name in re.split(r"\s+(?:and|&)\s+", piece):
            if _NAME.match(name) and not (i > 0 and role):
                authors.append(name)
            elif i > 0 and authors:
                extras.insert(0, ", ".join(pieces[i:]))
                break
            else:
                return None
        else:
            continue
        break
    for extra in extras:
        if not date and parse_date(extra) is not None:
            date = extra
        elif not role and _ROLE_WORDS.search(extra) and len(extra.split()) <= 5:
            role = extra
        elif not source and len(extra.split()) <= 4 and _NAME.match(extra):
            source = extra
        else:
            return None
    return Byline(authors, date, source, role) if authors else None


class TextReader:
    """Reads plain-text articles (see the module docstring and docs/plain-text-grammar.md)."""

    name = "txt"

    def read(self, data: bytes, *, source: str, base_dir: Path | None) -> ReadResult:
        """Decode and parse a plain-text article."""
        decoded = decode(data, source)
        state = _State(source)
        state.diagnostics.extend(decoded.diagnostics)
        document = self.parse(decoded.text, state)
        ordered = sorted(state.diagnostics, key=lambda d: d.line or 0)
        return ReadResult(document, tuple(ordered), decoded.encoding)

    def parse(self, text: str, state: _State) -> Document:
        """Parse decoded text (LF line ends) into a document."""
        chunks = _remove_furniture(_chunks(text), state)
        meta: dict[str, object] = {}
        if not chunks:
            return Document(Meta())
        first = chunks.pop(0)
        meta["title"] = first.lines[0].text
        standfirst = []
        for line in first.lines[1:]:
            if (m := _URL_LINE.match(line.text)) and "url" not in meta:
                meta["url"] = m.group("url")
                state.note("reader.metadata", "URL line moved into the document's url", line.text, line.number)
            else:
                standfirst.append(line.text)
        if standfirst:
            meta["subtitle"] = " ".join(standfirst)
        chunks = self._front_matter(chunks, meta, state)
        blocks = list(self._blocks(chunks, meta, state))
        return Document(Meta(**meta), tuple(blocks))  # type: ignore[arg-type]

    def _front_matter(self, chunks: list[_Chunk], meta: dict[str, object], state: _State) -> list[_Chunk]:
        """Take a URL line, a byline and a date line from the top of the article."""
        rest = list(chunks)
        for _ in range(3):
            if not rest or len(rest[0].lines) != 1:
                break
            line = rest[0].lines[0]
            if (m := _URL_LINE.match(line.text)) and "url" not in meta:
                meta["url"] = m.group("url")
                state.note("reader.metadata", "URL line moved into the document's url", line.text, line.number)
            elif (by := parse_byline(line.text)) is not None and "authors" not in meta:
                authors, date, outlet, role = by
                meta["authors"] = tuple(authors)
                if role:
                    meta["extras"] = (("author_role", role),)
                if date:
                    meta["date"], meta["date_iso"] = date, parse_date(date) or ""
                if outlet:
                    meta["source"] = outlet
                state.note("reader.byline", "byline moved into the document's authors", line.text, line.number)
            elif "date" not in meta and parse_date(line.text) is not None and len(line.text) <= 60:
                meta["date"], meta["date_iso"] = line.text, parse_date(line.text) or ""
                state.note("reader.dateline", "date line moved into the document's date", line.text, line.number)
            else:
                break
            rest.pop(0)
        # A URL line at the very end is the source link, not body text.
        if rest and len(rest[-1].lines) == 1 and "url" not in meta and (m := _URL_LINE.match(rest[-1].text)):
            meta["url"] = m.group("url")
            line = rest.pop().lines[0]
            state.note("reader.metadata", "URL line moved into the document's url", line.text, line.number)
        return rest

    def _blocks(self, chunks: list[_Chunk], meta: dict[str, object], state: _State) -> Iterator[Block]:
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
            yield self._block(chunk, index == len(chunks) - 1, meta, state)
        if pending is not None:
            yield _make_list(*pending)

    def _block(self, chunk: _Chunk, is_last: bool, meta: dict[str, object], state: _State) -> Block:
        text = chunk.text
        line = chunk.lines[0]
        if len(chunk.lines) == 1:
            if (dup := _duplicate_caption(_PAD.sub("", line.raw))) is not None:
                caption, copy = dup
                state.note("reader.duplicate-caption", "caption pasted twice: kept once", copy, line.number)
                return Figure(caption=linkify(caption))
            if _BREAK.match(text):
                return ThematicBreak()
            if _PHOTO.match(text):
                return Figure(caption=linkify(text))
            if m := _HASH_HEADING.match(text):
                return Heading(len(m.group("hashes")), linkify(m.group("text")))
            if _is_subheading(chunk, is_last):
                state.note("reader.heading-guess", "short standalone line taken as a subheading", text, line.number)
                return Heading(2, linkify(text))
        if (quote := _quote(chunk)) is not None:
            return quote
        if "date" not in meta and (m := _DATELINE.match(text)):
            meta["date"] = m.group("date")
            meta["date_iso"] = parse_date(m.group("date")) or ""
            state.note("reader.dateline", "dateline: date copied into the document's date", m.group(0).strip(),
                       line.number)
        return Paragraph(linkify(text))


READER = TextReader()
