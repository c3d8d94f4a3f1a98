"""Script runs (``briefpub.writers.pdf.typeset._unicode``): the shortcut for Latin text with characters of
no script (curly quotes, dashes) gives what the character-by-character loop gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs

from briefpub.writers.pdf.typeset import _unicode

#: Latin, no-script and other scripts' characters, and the odd ones out (micro sign, modifier letters).
POOL = ("ab Z 1,.\u2019\u201c\u201d\u2013\u2014\u00b5\u02b0\u0300\u00e9\u00a0\u1e00\uff21\u03b1\u0436\u05d0"
        "\u0628\u0663\u4e2d\u30fc\U00020000\u2066")


def _reference_script_runs(text: str) -> list[tuple[int, int, str | None]]:
    """The character-by-character loop (what ``script_runs`` does past its shortcuts)."""
    runs: list[tuple[int, int, str | None]] = []
    start = 0
    current: str | None = None
    for i, char in enumerate(text):
        code = ord(char)
        script = _unicode._script_of(code) if code >= 0x41 else None
        if script is None or script == current:
            continue
        if current is None:
            current = script
            continue
        runs.append((start, i, current))
        start, current = i, script
    runs.append((start, len(text), current))
    return runs


@settings(max_examples=500, deadline=None)
@given(text=hs.text(alphabet=POOL, min_size=1, max_size=12))
def test_script_runs_match_the_loop(text: str) -> None:
    if text.isascii() or max(text) < "\u0370":
        return  # (the older shortcut for text below Greek, not changed here)
    assert _unicode.script_runs(text) == _reference_script_runs(text)
