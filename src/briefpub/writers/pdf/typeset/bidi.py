"""The Unicode Bidirectional Algorithm for the text engine (python-bidi's pure-Python rules).

:func:`embedding_levels` resolves a paragraph's embedding levels in logical
order (rules P2-P3, X1-X10, W1-W7, N1-N2, I1-I2, with python-bidi's
``bidi.algorithm``); lines are broken in logical order, then each line is reordered
for display by :func:`visual_order` (rules L1-L2) over runs of equal level.
Mirroring (rule L4: ``(`` drawn as ``)`` in right-to-left runs) is done by
HarfBuzz, which mirrors characters when it shapes a right-to-left run.

python-bidi's algorithm predates isolates (U+2066-U+2069): they are resolved as
the matching embeddings (LRI as LRE, RLI as RLE, FSI by its first strong
character, PDI as PDF). Characters removed by rule X9 (embedding controls,
boundary neutrals such as ZWJ and the soft hyphen) take the level of the character
before them, so they never split a run.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from briefpub._lazyre import lazy_re

__all__ = ["base_level", "embedding_levels", "needs_bidi", "visual_order"]

_STRONG_RTL = frozenset(("R", "AL"))
#: Bidirectional classes that need the algorithm (all at U+0590 or above).
_NEEDS_BIDI = frozenset(("R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "RLI", "LRI", "FSI"))
_FROM_HEBREW = lazy_re("[^\x00-\u058f]")
_ISOLATES = {"\u2066": "\u202a", "\u2067": "\u202b", "\u2069": "\u202c"}


def needs_bidi(text: str) -> bool:
    """True when ``text`` has a right-to-left, Arabic-number or explicit-embedding character."""
    if text.isascii() or max(text) < "\u0590":
        return False
    return any(unicodedata.bidirectional(c) in _NEEDS_BIDI for c in _FROM_HEBREW.findall(text))


def base_level(text: str) -> int:
    """Rule P2-P3: 1 when the first strong character is right-to-left, else 0."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _STRONG_RTL:
            return 1
        if kind == "L":
            return 0
    return 0


def _without_isolates(text: str) -> str:
    if not any("\u2066" <= c <= "\u2069" for c in text):
        return text
    out = []
    for i, char in enumerate(text):
        if char == "\u2068":  # FSI: direction of the first strong character up to the matching PDI
            end = text.find("\u2069", i)
            out.append("\u202b" if base_level(text[i + 1 : end if end >= 0 else len(text)]) else "\u202a")
        else:
            out.append(_ISOLATES.get(char, char))
    return "".join(out)


def embedding_levels(text: str, base: int) -> list[int]:
    """The resolved embedding level of each character of ``text`` (logical order, before rule L1)."""
    from bidi import algorithm as alg

    storage: dict[str, Any] = alg.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    alg.get_embedding_levels(_without_isolates(text), storage)
    chars = list(storage["chars"])
    alg.explicit_embed_and_overrides(storage)
    removed = {id(c) for c in chars}.difference(id(c) for c in storage["chars"])
    alg.resolve_weak_types(storage)
    _resolve_brackets(storage)
    alg.resolve_neutral_types(storage, False)
    alg.resolve_implicit_levels(storage, False)
    levels = [int(c["level"]) for c in chars]
    if removed:
        previous = base
        for i, char in enumerate(chars):
            if id(char) in removed:
                levels[i] = previous
            previous = levels[i]
        # X9-removed characters at the start take the level after them
        first = next((i for i, c in enumerate(chars) if id(c) not in removed), None)
        if first:
            for i in range(first):
                levels[i] = levels[first]
    return levels


#: Bidi_Paired_Bracket pairs (UnicodeData BidiBrackets.txt, the common ones): opening -> closing.
_BRACKETS = {
    "(": ")", "[": "]", "{": "}", "\u0f3a": "\u0f3b", "\u0f3c": "\u0f3d", "\u169b": "\u169c",
    "\u2045": "\u2046", "\u207d": "\u207e", "\u208d": "\u208e", "\u2308": "\u2309", "\u230a": "\u230b",
    "\u2329": "\u232a", "\u2768": "\u2769", "\u276a": "\u276b", "\u276c": "\u276d", "\u276e": "\u276f",
    "\u2770": "\u2771", "\u2772": "\u2773", "\u2774": "\u2775", "\u27c5": "\u27c6", "\u27e6": "\u27e7",
    "\u27e8": "\u27e9", "\u27ea": "\u27eb", "\u2983": "\u2984", "\u2985": "\u2986", "\u2987": "\u2988",
    "\u3008": "\u3009", "\u300a": "\u300b", "\u300c": "\u300d", "\u300e": "\u300f", "\u3010": "\u3011",
    "\u3014": "\u3015", "\u3016": "\u3017", "\u3018": "\u3019", "\u301a": "\u301b", "\ufe59": "\ufe5a",
    "\ufe5b": "\ufe5c", "\ufe5d": "\ufe5e", "\uff08": "\uff09", "\uff3b": "\uff3d", "\uff5b": "\uff5d",
    "\uff5f": "\uff60", "\uff62": "\uff63",
}
_CLOSING_BRACKETS = frozenset(_BRACKETS.values())


def _strong(kind: str) -> str | None:
    if kind == "L":
        return "L"
    if kind in ("R", "AL", "EN", "AN"):
        return "R"
    return None


def _resolve_brackets(storage: dict[str, Any]) -> None:
    """Rule N0 (paired brackets), per level run, between the weak and the neutral rules.

    python-bidi's pure-Python algorithm lacks it; without it "(TASS)" after Latin
    text inside an Arabic paragraph draws its closing bracket on the wrong side.
    """
    chars = storage["chars"]
    for run in storage["runs"]:
        start, length = run["start"], run["length"]
        run_chars = chars[start : start + length]
        stack: list[tuple[str, int]] = []
        pairs: list[tuple[int, int]] = []
        for i, char in enumerate(run_chars):
            if char["type"] != "ON":
                continue
            ch = char["ch"]
            if ch in _BRACKETS:
                if len(stack) >= 63:
                    break
                stack.append((_BRACKETS[ch], i))
            elif ch in _CLOSING_BRACKETS:
                for depth in range(len(stack) - 1, -1, -1):
                    if stack[depth][0] == ch:
                        pairs.append((stack[depth][1], i))
                        del stack[depth:]
                        break
        if not pairs:
            continue
        pairs.sort()
        embedding = "R" if run_chars[0]["level"] % 2 else "L"
        sor = "R" if run["sor"] == "R" else "L"
        for opening, closing in pairs:
            inside = {_strong(c["type"]) for c in run_chars[opening + 1 : closing]} - {None}
            if not inside:
                continue
            if embedding in inside:
                direction = embedding
            else:
                before = sor
                for c in reversed(run_chars[:opening]):
                    found = _strong(c["type"])
                    if found:
                        before = found
                        break
                direction = before if before != embedding else embedding
            for index in (opening, closing):
                run_chars[index]["type"] = direction
                # marks after a bracket follow it
                k = index + 1
                while k < len(run_chars) and run_chars[k]["orig"] == "NSM":
                    run_chars[k]["type"] = direction
                    k += 1


def visual_order(levels: Sequence[int], base: int) -> list[int]:
    """Rule L2 over runs: the display order (left to right) of runs with the given levels.

    ``levels`` are the runs' levels in logical order (after rule L1); the result
    lists run indices from left to right.
    """
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    odd = [lv for lv in levels if lv % 2]
    lowest_odd = min(odd) if odd else highest + 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        n = len(order)
        while i < n:
            if levels[order[i]] >= level:
                j = i
                while j < n and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
