"""A stand-in for reportlab's optional ``rlbidi`` module (PDF writer, layout stage).

reportlab lays out right-to-left paragraphs (``wordWrap='RTL'``) only when a
module named ``rlbidi`` providing ``log2vis`` is importable at the moment
``reportlab.pdfgen.textobject`` is first imported; the real module is not on
PyPI. This one implements ``log2vis`` on python-bidi's pure-Python Unicode
Bidirectional Algorithm (rules P2-P3, X1-X10, W1-W7, N1-N2, I1-I2, L1-L2, L4).

:func:`install` puts it into ``sys.modules`` under the name ``rlbidi``; the PDF
writer calls it when it runs, before it imports reportlab, and never replaces
a real ``rlbidi``. Known limit: reportlab's RTL support handles paragraphs made
of one run; inline markup inside an RTL paragraph (a bold word, a link, a
fallback font) may come out in the wrong order.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

_MODULE_NAME = "rlbidi"


def log2vis(
    text: str,
    base_direction: str | None = None,
    clean: bool = True,
    positions_V_to_L: list[int] | None = None,
    **_ignored: Any,
) -> str:
    """Return ``text`` (logical order) in visual order, left to right.

    ``base_direction`` is ``"RTL"``, ``"LTR"`` or None (decided by the first
    strong character). When ``positions_V_to_L`` is a list it receives, for
    each visual position, the logical index of the character shown there.
    ``clean`` (drop explicit directional formatting characters) is accepted
    for compatibility; python-bidi keeps them as zero-width characters.
    """
    from bidi import algorithm as alg

    storage: dict[str, Any] = alg.get_empty_storage()
    direction = (base_direction or "").upper()
    if direction == "RTL":
        base_level = 1
    elif direction == "LTR":
        base_level = 0
    else:
        base_level = alg.get_base_level(text)
    storage["base_level"] = base_level
    storage["base_dir"] = ("L", "R")[base_level]
    alg.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["logical"] = index
    alg.explicit_embed_and_overrides(storage)
    alg.resolve_weak_types(storage)
    alg.resolve_neutral_types(storage, False)
    alg.resolve_implicit_levels(storage, False)
    alg.reorder_resolved_levels(storage, False)
    alg.apply_mirroring(storage, False)
    chars = storage["chars"]
    if positions_V_to_L is not None:
        positions_V_to_L[:] = [c["logical"] for c in chars]
    return "".join(c["ch"] for c in chars)


def install() -> bool:
    """Make ``import rlbidi`` work; True when this stand-in (or a real one) is available.

    A real ``rlbidi`` always wins. Returns False only when python-bidi is missing.
    """
    if _MODULE_NAME in sys.modules:
        return True
    if importlib.util.find_spec(_MODULE_NAME) is not None:
        return True
    if importlib.util.find_spec("bidi") is None:
        return False
    module = types.ModuleType(_MODULE_NAME, __doc__)
    module.log2vis = log2vis  # type: ignore[attr-defined]
    sys.modules[_MODULE_NAME] = module
    return True


def reportlab_has_rtl() -> bool:
    """True when reportlab's text layer was loaded with bidi support."""
    from reportlab.pdfgen import textobject

    return bool(textobject.rtlSupport)
