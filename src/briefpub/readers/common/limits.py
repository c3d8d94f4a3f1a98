"""Nesting limits every reader applies (reader stage, shared by the readers).

Deeper structure is flattened rather than lost: its text is kept and the
flattening is reported.
"""

from __future__ import annotations

#: Quotations and lists nested deeper than this are flattened into their parent.
MAX_BLOCK_DEPTH = 10
#: Inline formatting (emphasis in emphasis...) deeper than this is dropped, text kept.
MAX_INLINE_DEPTH = 10
