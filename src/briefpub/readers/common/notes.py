"""Diagnostics collected while reading one input, and the reader's result (reader stage, shared).

Every reader records what it removes or doubts in a :class:`Notes` and returns
:func:`read_result`: the decoding notes first, then the reader's own, in input
line order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefpub.diagnostics import EXCERPT, Diagnostic, Severity, excerpt
from briefpub.readers import ReadResult
from briefpub.readers.common.decode import Decoded
from briefpub.tree import Document

__all__ = ["EXCERPT", "Notes", "excerpt", "read_result"]


@dataclass(slots=True)
class Notes:
    """Diagnostics collected while reading one input.

    ``verbatim`` keeps each diagnostic's text exactly as given (the plain-text
    reader quotes whole lines); otherwise it is an :func:`excerpt`.
    """

    source: str
    items: list[Diagnostic] = field(default_factory=list)
    verbatim: bool = False

    def add(
        self,
        code: str,
        message: str,
        text: str = "",
        line: int | None = None,
        severity: Severity = "info",
    ) -> None:
        """Record a diagnostic about ``text`` at input ``line``."""
        self.items.append(
            Diagnostic(code, message, text if self.verbatim else excerpt(text), self.source, line, severity)
        )


def read_result(document: Document, notes: Notes, decoded: Decoded) -> ReadResult:
    """The reader's result: decoding notes, then ``notes`` (stably ordered by input line)."""
    ordered = sorted((*decoded.diagnostics, *notes.items), key=lambda d: d.line or 0)
    return ReadResult(document, tuple(ordered), decoded.encoding)
