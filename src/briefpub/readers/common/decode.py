"""Input checks and character decoding for every reader (reader stage, shared by the readers).

Order of decisions, each reported when it matters:

1. empty input -> :class:`~briefpub.errors.InputError`;
2. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) chooses the encoding;
3. known binary signatures (PDF, ZIP/DOCX/EPUB, images, executables...) and NUL
   bytes -> InputError ("binary file");
4. strict UTF-8;
5. otherwise a legacy single-byte encoding detected by charset-normalizer
   (Windows-1252 when undecided), reported as ``decode.legacy-encoding``;
6. decoded text with many control characters -> InputError ("binary file").

Line ends (CRLF, CR, NEL, LS, PS) are normalised to LF here, once.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic
from briefpub.errors import InputError

#: Inputs larger than this are refused (see docs/cli.md, "Limits").
MAX_INPUT_BYTES = 8 * 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a zip archive (EPUB, DOCX...)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"RIFF", "a RIFF media file"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)
#: Control characters that mark binary data (all ASCII: counted in the text's UTF-8 bytes, where
#: deleting them with ``bytes.translate`` is several times faster than a regex or a count a character).
_CONTROL_BYTES = bytes((*range(0x09), *range(0x0E, 0x20), 0x7F))
_LINE_ENDS = lazy_re("\r\n|[\r\x85\u2028\u2029]")
_ODD_LINE_ENDS = ("\r", "\x85", "\u2028", "\u2029")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the encoding used, and what is worth reporting."""

    text: str
    encoding: str
    diagnostics: tuple[Diagnostic, ...] = ()


def check_size(size: int, source: str) -> None:
    """Refuse inputs over :data:`MAX_INPUT_BYTES` before reading them."""
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"{source}: file is too large ({size / 1048576:.1f} MiB; "
            f"the limit is {MAX_INPUT_BYTES // 1048576} MiB)"
        )


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:65536]:
        return "binary data (NUL bytes)"
    return None


def _refuse_unreadable(data: bytes, source: str) -> None:
    """Refuse empty, oversized and binary input (checked before any decoding without a BOM)."""
    if not data:
        raise InputError(f"{source}: file is empty")
    check_size(len(data), source)
    kind = _binary_kind(data)
    if kind is not None:
        raise InputError(f"{source}: not a text article ({kind})")


def _replacements(text: str, what: str, source: str) -> list[Diagnostic]:
    """A ``decode.replacement`` note when decoding put U+FFFD into ``text``."""
    count = text.count("\ufffd")
    if not count:
        return []
    return [Diagnostic("decode.replacement", f"{count} {what} replaced by U+FFFD", source=source)]


def _detect_legacy(data: bytes) -> str:
    """Best single-byte legacy encoding for ``data`` (cp1252 when undecided)."""
    from charset_normalizer import from_bytes  # imported only for non-UTF-8 input

    matches = from_bytes(data[:200_000])
    names = [str(m.encoding) for m in matches]
    # Windows-1252 is by far the commonest legacy encoding of news text; the
    # detector often ranks a sibling code page (cp1250, cp1257...) level with it.
    if not names or "cp1252" in names:
        return "cp1252"
    enc = names[0]
    try:
        info = codecs.lookup(enc)
    except LookupError:
        return "cp1252"
    # Multi-byte guesses on input that is not valid UTF-8 are usually wrong for
    # news text; latin-1 is better read as its superset cp1252 (curly quotes).
    if info.name in ("latin-1", "iso8859-1", "ascii") or enc.startswith(("utf", "big5", "gb", "shift", "euc")):
        return "cp1252"
    return info.name


def _finish(text: str, encoding: str, diagnostics: list[Diagnostic], source: str) -> Decoded:
    """Refuse binary or blank text, normalise line ends to LF."""
    encoded = text.encode("utf-8", "surrogatepass")  # an ASCII character is one byte, and only it is
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise InputError(f"{source}: not a text article (binary data: {controls} control characters)")
    if any(end in text for end in _ODD_LINE_ENDS):  # a regex scan costs milliseconds on a large page
        text = _LINE_ENDS.sub("\n", text)
    if not text.strip():
        raise InputError(f"{source}: no text (the file holds only whitespace)")
    return Decoded(text=text, encoding=encoding, diagnostics=tuple(diagnostics))


def decode(data: bytes, source: str) -> Decoded:
    """Decode article bytes to text with LF line ends, or raise InputError."""
    if not data:
        raise InputError(f"{source}: file is empty")
    check_size(len(data), source)
    diagnostics: list[Diagnostic] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{source}: invalid {encoding} text after its byte-order mark ({exc.reason})"
                ) from None
            diagnostics.append(
                Diagnostic("decode.bom", f"byte-order mark: read as {encoding.upper()}", source=source, severity="info")
            )
            break
    else:
        _refuse_unreadable(data, source)
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = _detect_legacy(data)
            text = data.decode(encoding, errors="replace")
            diagnostics.append(
                Diagnostic(
                    "decode.legacy-encoding",
                    f"not UTF-8: read as {encoding} (detected)",
                    source=source,
                    severity="warning",
                )
            )
            diagnostics.extend(_replacements(text, "undecodable byte(s)", source))
    return _finish(text, encoding, diagnostics, source)


# ----------------------------------------------------------------------------- HTML charsets

_META_CHARSET = lazy_re(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]{1,40})""", re.IGNORECASE)
_XML_ENCODING = lazy_re(rb"""^\s*<\?xml\b[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._\-]{1,40})""", re.IGNORECASE)
# Labels a page may declare that browsers read as another encoding (WHATWG Encoding
# standard): latin-1 and ASCII mean Windows-1252, and a UTF-16 label in a byte
# stream without a BOM can only be a mistake for UTF-8.
_CHARSET_ALIASES = {
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "x-user-defined": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "gb2312": "gbk",
    "x-sjis": "shift_jis",
}

#: Codecs Python knows as text encodings that no web page is written in (browsers do not
#: support them; UTF-7 was an XSS vector): a page declaring one is decoded as if it declared none.
_NOT_PAGE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7", "charmap", "mbcs", "oem",
     "utf-32", "utf-32-le", "utf-32-be"}
)


def declared_html_charset(data: bytes) -> str | None:
    """The charset label a web page declares in its first 8 KiB, or None.

    Looks at ``<meta charset=...>``, ``<meta http-equiv="Content-Type"
    content="...; charset=...">`` and an XML declaration's ``encoding``.
    """
    head = data[:8192]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii").strip().lower() if m else None


def _detected_instead(data: bytes, source: str, problem: str, result: Decoded | None = None) -> Decoded:
    """:func:`decode`'s reading of ``data``, led by a note that the declared charset was not used."""
    result = result or decode(data, source)
    note = Diagnostic("reader.metadata", f"{problem}: encoding detected instead", source=source)
    return Decoded(result.text, result.encoding, (note, *result.diagnostics))


def decode_declared(data: bytes, source: str, declared: str | None) -> Decoded:
    """Decode a web page: byte-order mark, else the ``declared`` charset, else as :func:`decode`.

    An unknown label, or a page declared UTF-8 that is not valid UTF-8, falls
    back to detection and is reported (``reader.metadata``); a page its declared
    charset cannot decode that is valid UTF-8 is read as UTF-8 (reported too).
    """
    if declared is None or any(data.startswith(bom) for bom, _ in _BOMS):
        return decode(data, source)
    label = _CHARSET_ALIASES.get(declared, declared)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return _detected_instead(data, source, f"unknown declared charset {declared!r}")
    encoding = info.name
    if not getattr(info, "_is_text_encoding", True) or encoding in _NOT_PAGE_ENCODINGS:
        return _detected_instead(data, source, f"declared charset {declared!r} is not a web page encoding")
    if encoding == "utf-8":
        result = decode(data, source)
        if result.encoding == "utf-8":
            return result
        return _detected_instead(data, source, "the page declares UTF-8 but is not valid UTF-8", result)
    _refuse_unreadable(data, source)
    utf8 = _utf8_instead(data, declared, encoding, source)
    if utf8 is not None:
        return utf8
    try:
        text = data.decode(encoding, errors="replace")
    except (UnicodeError, LookupError):  # a codec that cannot replace (or fails outright)
        return _detected_instead(data, source, f"the page is not readable as its declared {encoding}")
    diagnostics = _replacements(text, f"byte(s) undecodable as the declared {encoding}", source)
    return _finish(text, encoding, diagnostics, source)


def _utf8_instead(data: bytes, declared: str, encoding: str, source: str) -> Decoded | None:
    """UTF-8, reported, for a page its declared charset cannot decode but UTF-8 decodes cleanly (None otherwise).

    Pages re-saved as UTF-8 often keep their old declaration (gb2312, Shift_JIS, Windows-1252).
    """
    try:
        data.decode(encoding)
        return None
    except UnicodeDecodeError:
        pass
    except (UnicodeError, LookupError):  # a codec that fails outright: detection decides
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    note = Diagnostic(
        "reader.metadata",
        f"the page declares {declared!r} but is not valid {encoding}; it is valid UTF-8: read as UTF-8",
        source=source,
        severity="warning",
    )
    return _finish(text, "utf-8", [note], source)
