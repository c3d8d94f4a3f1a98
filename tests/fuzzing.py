"""A deterministic mutation fuzzer for the readers (shared by tests/test_fuzz.py and bench/fuzz.py).

Seeds are the article fixtures (``fixtures/``) and small crafted inputs (front matter,
tables, raw HTML, entities, charsets). Case ``i`` of a run is fully determined by
``(SEED, i)``: one to four mutations drawn from byte flips, insertions of hostile
tokens (``<embed>``, ``<!--``, ``<![CDATA[``, ``---``, NUL, byte-order marks,
``<meta charset=...>``, deep nesting, huge character references, broken UTF-8),
splices between seeds, truncations, repeats and re-encodings, read by the seed's
reader (or, one time in five, another one).

:func:`check_case` is the oracle: :func:`briefpub.readers.read_bytes` then
:func:`briefpub.transforms.prepare` must give a document, or refuse the input
with a :class:`~briefpub.errors.BriefpubError` of exit code 2 and a one-line
message; anything else is a crash. Run as a script, this module checks a slice of
cases and prints one line per case started (``case N``, so a watchdog that kills
a hung run knows which case hung) and one JSON line per failure::

    python tests/fuzzing.py START STOP [STEP] [--per-case-seconds S] [--writers]

``--writers`` also writes each accepted case as PDF, EPUB and DOCX (:func:`check_writers`).
"""

from __future__ import annotations

import codecs
import json
import random
import signal
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
SEED = "briefpub-fuzz-1"
FORMATS = ("txt", "md", "html")
MAX_CASE_BYTES = 256 * 1024

CRAFTED: tuple[tuple[str, bytes], ...] = (
    ("md", b"---\ntitle: T\ndate: 2020-01-02\nauthors: [A, B]\nlang: en\nx: !!int 3\n---\n\n# T\n\nPara *em* "
           b"**strong** `code` [link](https://e.org) ![i](a.png \"t\")\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n"
           b"> quote\n> -- Someone\n\n<div lang=\"fr\">bonjour <b>x</b></div>\n\n1. one\n   - two\n\n```\ncode\n```\n"),
    ("md", b"# Title\n\nText with <span lang=\"de\">Wort</span> and &amp; &#8212; &#x1F600; &nbsp;\n\n"
           b"[span]{lang=es} and <br> and <img src=x alt=y>\n\n***\n\n- a\n- b\n\n    indented\n"),
    ("html", b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>T</title>"
             b"<meta property=\"og:title\" content=\"Headline\"><script type=\"application/ld+json\">"
             b"{\"@type\":\"NewsArticle\",\"headline\":\"H\",\"author\":{\"name\":\"A\"}}</script></head><body>"
             b"<nav><a href=\"/\">Home</a></nav><article><h1>Headline</h1><p class=\"byline\">By Jane Doe</p>"
             b"<p>First <b>bold</b> &amp; <a href=\"https://e.org/x\">link</a>.</p><figure><img src=\"a.png\" "
             b"alt=\"A\"><figcaption>Cap</figcaption></figure><table><tr><th>a</th></tr><tr><td>1</td></tr>"
             b"</table><blockquote><p>Q</p></blockquote><ul><li>x</li></ul></article><footer>(c)</footer>"
             b"</body></html>"),
    ("html", b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head>"
             b"<body><div id=\"content\"><p>Caf\xe9 \x93quoted\x94 &#147;x&#148; &eacute;</p><p lang=\"ar\">"
             b"\xe1\xe1</p></div></body></html>"),
    ("txt", b"HEADLINE IN CAPS\n\nBy Jane Doe\n12 March 2024\n\nFirst paragraph of the article.\n\n"
            b"\xe2\x80\xa2 bullet one\n\xe2\x80\xa2 bullet two\n\n\xe2\x80\x9cA quote,\xe2\x80\x9d she said.\n\n"
            b"* * *\n\nAdd new comment\n"),
    ("txt", b"Caf\xe9 au lait\r\n\r\nLegacy \x93quoted\x94 text in Windows-1252.\r\n"),
)

HOSTILE: tuple[bytes, ...] = (
    b"<embed src=x>", b"<keygen>", b"<wbr>", b"<source>", b"<image src=x>", b"<!--", b"-->", b"<![CDATA[", b"]]>",
    b"---\n", b"\n---\n", b"...\n", b"\x00", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE, b'<meta charset="hex">', b'<meta charset="utf-7">', b'<meta charset="utf-16">',
    b'<meta charset="shift_jis">', b'<meta charset="x-bogus">', b"<meta charset=idna>", b"<?xml encoding='bz2'?>",
    b"&#99999999;", b"&#x110000;", b"&#0;", b"&#xD800;", b"&#128;", b"&#" + b"9" * 40 + b";", b"&nosuch;",
    b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x80", b"\r", b"\xe2\x80\xa8", b"\x0c", b"\x1b",
    b"<div>" * 300, b"<b><i>" * 150, b"</div>" * 50, b">" * 120, b"> " * 60, b"*" * 400, b"_a" * 300, b"[" * 300,
    b"- " * 80 + b"x\n", b"1. " * 60, b"<table><tr><td>", b"\n| a | b |\n|---|---|\n| 1 |", b"|---|---|\n",
    b"<script>x()</script>", b"<script>", b"<style>", b"</p>", b"<p>", b"<a href=\"javascript:x\">", b"<a href='#x'>",
    b"![x](data:image/png;base64,AAAA)", b"date: 2020-13-45\n", b"x: !!bool maybe\n", b"a: &a [1]\nb: *a\n",
    b"<!DOCTYPE x [<!ENTITY a 'lollol'>]>", b"<p lang=\"zz-@@\">", b"<span lang=\"ar\">", b"{lang=xx}",
    b"<img src=x alt=\"", b"\t", b"<", b"&", b"#######", b"```", b"~~~", b"<h1>", b"# ", b"<br>", b"<hr>",
    b'<p a\x01b="x">', b"<p \x02>", b"<frameset>", b"<svg><a href=x>", b"<math>", b"<select><option>",
    b"<form>", b"<noscript>", b"<base href=\"file:///\">", b"\\", b"`", b"<https://e.org>", b"[x]: https://e.org\n",
    b"\xef\xbf\xbe", b"\xf0\x9f\x98\x80", b"\xd8\xa7", b"\xe2\x80\x8f", b"\xcc\x81" * 50, b"A" * 5000,
)


@dataclass(frozen=True, slots=True)
class Case:
    """One fuzz input: which case of the run, how it was made, the bytes and the reader."""

    index: int
    fmt: str
    data: bytes
    recipe: str


def seeds() -> list[tuple[str, bytes]]:
    """(reader, bytes) of every seed: the fixtures, then :data:`CRAFTED`."""
    found: list[tuple[str, bytes]] = []
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if not path.is_file():
            continue
        top = path.relative_to(ROOT / "fixtures").parts[0]
        suffix = path.suffix.lower()
        fmt = {".html": "html", ".md": "md"}.get(suffix) or {"html": "html", "md": "md"}.get(top, "txt")
        if path.name.endswith(".expected.txt"):
            fmt = "txt"
        found.append((fmt, path.read_bytes()))
    return found + list(CRAFTED)


def _mutate(rng: random.Random, data: bytes, pool: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    kind = rng.choice(("flip", "flip", "insert", "insert", "insert", "delete", "splice", "truncate", "repeat",
                       "random", "reencode", "lines"))
    n = len(data)
    at = rng.randrange(n + 1)
    if kind == "flip" and n:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(n)] ^= 1 << rng.randrange(8)
        return bytes(out), kind
    if kind == "insert" or not n:
        token = rng.choice(HOSTILE)
        return data[:at] + token * rng.choice((1, 1, 1, 2, 5)) + data[at:], f"insert {token[:20]!r}"
    if kind == "delete":
        return data[:at] + data[at + rng.randint(1, max(1, n // 4)) :], kind
    if kind == "splice":
        other = rng.choice(pool)[1]
        return data[:at] + other[rng.randrange(len(other) + 1) :], kind
    if kind == "truncate":
        return data[:at], kind
    if kind == "repeat":
        end = min(n, at + rng.randint(1, 200))
        return data[:end] + data[at:end] * rng.randint(2, 50) + data[end:], kind
    if kind == "random":
        return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:], kind
    if kind == "reencode":
        codec = rng.choice(("utf-16", "utf-16-be", "utf-32", "cp1252", "latin-1", "shift_jis", "koi8-r"))
        text = data.decode("utf-8", errors="replace")
        return text.encode(codec, errors="replace"), f"reencode {codec}"
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines), kind


def make_case(index: int, pool: list[tuple[str, bytes]], seed: str = SEED) -> Case:
    """Case ``index`` of the run ``seed`` (the same bytes every time)."""
    rng = random.Random(f"{seed}:{index}")
    fmt, data = rng.choice(pool)
    recipe = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        data, step = _mutate(rng, data, pool)
        recipe.append(step)
    if rng.random() < 0.2:
        fmt = rng.choice(FORMATS)
    return Case(index, fmt, data[:MAX_CASE_BYTES], " + ".join(recipe))


class CaseTimeout(BaseException):
    """A case ran longer than the per-case bound (raised by the alarm; no ``except Exception`` stops it)."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CaseTimeout


def check_case(case: Case, per_case_seconds: float = 0) -> str | None:
    """None when the case is read or refused cleanly, else what went wrong (one line + traceback)."""
    from briefpub.errors import BriefpubError
    from briefpub.readers import read_bytes
    from briefpub.transforms import prepare

    source = f"case-{case.index}.{case.fmt}"
    if per_case_seconds:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, per_case_seconds)
    try:
        result = read_bytes(case.data, source=source, fmt=case.fmt)
        prepare(result.document, ())
    except CaseTimeout:
        return f"hang: more than {per_case_seconds} s"
    except BriefpubError as exc:
        message = str(exc)
        if exc.exit_code != 2:
            return f"exit {exc.exit_code}: {message}\n" + "".join(traceback.format_exception(exc.__cause__ or exc))
        if "\n" in message or not message.startswith(source):
            return f"not one line naming the input: {message!r}"
    except BaseException as exc:
        return f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc))
    finally:
        if per_case_seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return None


WRITER_FORMATS = ("pdf", "epub", "docx")


def check_writers(case: Case, per_case_seconds: float = 0) -> str | None:
    """For a case the reader accepts: every writer gives bytes or refuses with a BriefpubError.

    A BriefpubError chaining an exception that is not one (``pipeline.write`` wrapping a
    writer bug as ConversionError) counts as a failure.
    """
    from datetime import UTC, datetime

    from briefpub.errors import BriefpubError
    from briefpub.pipeline import render, style_fonts
    from briefpub.readers import read_bytes
    from briefpub.styling import load_style
    from briefpub.transforms import prepare
    from briefpub.tree import Publication
    from briefpub.writers import WriteOptions

    try:
        doc = prepare(read_bytes(case.data, source=f"case-{case.index}.{case.fmt}", fmt=case.fmt).document, ())
    except BriefpubError:
        return None  # refused: the reader oracle judges that
    style = load_style()
    options = WriteOptions(build_time=datetime(2020, 1, 1, tzinfo=UTC), fonts=style_fonts(style))
    for fmt in WRITER_FORMATS:
        if per_case_seconds:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, per_case_seconds)
        try:
            data, _diagnostics, _fonts = render(Publication((doc,)), fmt, style, options)
        except CaseTimeout:
            return f"hang: {fmt} writer took more than {per_case_seconds} s"
        except BriefpubError as exc:
            if isinstance(exc.__cause__, CaseTimeout):
                return f"hang: {fmt} writer took more than {per_case_seconds} s"
            if exc.__cause__ is not None and not isinstance(exc.__cause__, BriefpubError):
                return f"{fmt}: {exc}\n" + "".join(traceback.format_exception(exc.__cause__))
            continue
        except BaseException as exc:
            return f"{fmt}: {type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc))
        finally:
            if per_case_seconds:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if not data:
            return f"{fmt}: no bytes"
    return None


def main(argv: list[str]) -> int:
    """Check cases ``START..STOP`` (every ``STEP``th); print progress and failures."""
    per_case = 0.0
    if "--per-case-seconds" in argv:
        at = argv.index("--per-case-seconds")
        per_case = float(argv[at + 1])
        del argv[at : at + 2]
    writers = "--writers" in argv
    if writers:
        argv.remove("--writers")
    start, stop = int(argv[0]), int(argv[1])
    step = int(argv[2]) if len(argv) > 2 else 1
    pool = seeds()
    for index in range(start, stop, step):
        case = make_case(index, pool)
        print(f"case {index}", flush=True)
        problem = check_case(case, per_case)
        if problem is None and writers:
            problem = check_writers(case, per_case)
        if problem is not None:
            print(json.dumps({"case": index, "fmt": case.fmt, "recipe": case.recipe, "problem": problem}), flush=True)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
