"""Diagnostics: warnings and removals as data (every pipeline stage).

Anything a reader drops or doubts, and anything a writer cannot render, becomes a
:class:`Diagnostic` with a stable ``code`` (documented in ``docs/diagnostics.md``),
the text involved and where it came from. Nothing is ever lost silently: a stage
returns its diagnostics beside its result, and the CLI prints or reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["info", "warning", "error"]

#: Longest excerpt of a value quoted in a diagnostic (a title, an address, a reference).
EXCERPT = 120


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` with whitespace collapsed, cut to ``limit`` characters (with an ellipsis).

    Diagnostics are printed one per line: a value that can be long (a 10,000-character
    title, a ``data:`` address) is quoted by this excerpt, never in full.
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"

#: Stable diagnostic codes and what they mean. Tests check every code used in
#: ``src/`` is listed here, and ``docs/diagnostics.md`` is generated from it.
CODES: dict[str, str] = {
    "text.invalid-character": "a character XML cannot carry was removed from the text",
    "decode.bom": "the input's byte-order mark chose its encoding",
    "decode.legacy-encoding": "the input is not UTF-8; a legacy encoding was detected and used",
    "decode.replacement": "undecodable bytes were replaced by U+FFFD",
    "reader.boilerplate-removed": "site furniture (comment prompts, share links...) was removed",
    "reader.duplicate-caption": "a caption pasted twice on one line was kept once",
    "reader.byline": "a byline was moved into the document's authors",
    "reader.dateline": "a dateline was recognised and copied into the document's date",
    "reader.heading-guess": "a short standalone line was taken as a subheading",
    "reader.unsupported": "a construct the reader cannot represent was dropped",
    "reader.image-missing": "an image file named by the article could not be found",
    "reader.image-refused": "an image outside the input's folder, remote, or not a regular file was not read",
    "reader.active-content": "scripts, styles, event handlers or unsafe URLs were removed",
    "reader.metadata": "a metadata value could not be used",
    "reader.format-guessed": (
        "the input's format was guessed from its content (standard input, or an extension no reader claims)"
    ),
    "build.article-skipped": "a pack was built without an article that could not be read",
    "build.cache-damaged": "a build cache entry was damaged or foreign: it was removed and the artifact rebuilt",
    "writer.metadata": "a metadata value could not be used as given; a safe default was used",
    "writer.missing-glyph": "no available font has these characters",
    "writer.font-substituted": "no monospaced font family is installed; code is set in the body face",
    "writer.unsafe-link": (
        "a link that is unsafe or leads nowhere (a scheme other than http, https or mailto, no host, "
        "no such heading) was kept as text"
    ),
    "writer.image-missing": "an image could not be embedded; its caption was kept",
    "writer.image-warning": "the image library warned about an image that was embedded (it may look wrong)",
    "writer.hyphenation-unavailable": "no hyphenation patterns for the document's language",
    "writer.loose-justification": (
        "a justified paragraph could not be set within the word-spacing limits and was set ragged"
    ),
    "writer.shrunk": (
        "a block taller than the page's text area (type as large as the style allows on a small page) "
        "was scaled down to fit"
    ),
    "writer.not-rendered": "a construct the format cannot show was rendered as plain text",
    "writer.accessibility": (
        "the accessible (tagged) form of the output is incomplete: an image without alternative text, "
        "a structure the checks refuse"
    ),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One thing a stage wants the user to know about.

    ``code`` is stable and machine-readable; ``message`` is for people;
    ``text`` is the text that was removed or doubted (verbatim); ``source``
    names the input file (or ``<stdin>``) and ``line`` the 1-based line there.
    """

    code: str
    message: str
    text: str = ""
    source: str = ""
    line: int | None = None
    severity: Severity = "warning"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code!r}")

    def format(self) -> str:
        """One human-readable line: ``source:line: severity: message [code]``."""
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        detail = f": {self.text!r}" if self.text else ""
        return f"{where}: {self.severity}: {self.message}{detail} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by ``--json`` reports."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "text": self.text,
            "source": self.source,
            "line": self.line,
        }
