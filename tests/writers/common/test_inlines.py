"""Inlines flattened to styled runs: the typographic rules every writer shares."""

from __future__ import annotations

from briefpub.diagnostics import Diagnostic
from briefpub.tree import Code, Emphasis, Image, LineBreak, Link, Span, Strong, Text
from briefpub.writers.common.inlines import BreakRun, ImageRun, RunStyle, TextRun, flatten
from briefpub.writers.common.links import External, resolve_link


def _resolve(url: str) -> object:
    return resolve_link(url, lambda f: {"x": "x"}.get(f), 0)


def test_nested_emphasis_toggles_back_to_roman() -> None:
    runs = flatten((Emphasis((Text("a "), Emphasis((Text("b"),)), Text(" c"))),), _resolve, [])  # type: ignore[arg-type]
    assert [(r.text, r.style.italic) for r in runs if isinstance(r, TextRun)] == [
        ("a ", True), ("b", False), (" c", True)]


def test_styles_links_spans_breaks_and_images() -> None:
    diags: list[Diagnostic] = []
    runs = flatten((
        Strong((Text("bold "), Code((Text("code"),)))),
        Link("https://example.org", (Text("site"),), title="t"),
        LineBreak(),
        Span((Text("mot"),), "fr"),
        Image("k.png", "alt"),
        Link("javascript:x()", (Text("bad"),)),
        Link("#x", (Link("https://inner.example", (Text("inner"),)),)),
    ), _resolve, diags)  # type: ignore[arg-type]
    texts = [(r.text, r.style) for r in runs if isinstance(r, TextRun)]
    assert texts[0] == ("bold ", RunStyle(bold=True))
    assert texts[1] == ("code", RunStyle(bold=True, code=True))
    assert texts[2][1].link == External("https://example.org/") or texts[2][1].link == External("https://example.org")
    assert texts[2][1].link_title == "t" and texts[2][1].link_id == 1
    assert ("mot", RunStyle(lang="fr")) in texts
    assert ("bad", RunStyle()) in texts  # refused: plain text, reported
    inner = next(style for text, style in texts if text == "inner")
    assert inner.link is not None and inner.link_id == 2 and inner.link.anchor == "x"  # type: ignore[union-attr]
    assert sum(isinstance(r, BreakRun) for r in runs) == 1
    assert [r.image.src for r in runs if isinstance(r, ImageRun)] == ["k.png"]
    assert [d.code for d in diags] == ["writer.unsafe-link"]


def test_adjacent_text_in_one_style_is_merged() -> None:
    runs = flatten((Text("a"), Text("b"), Emphasis((Text("c"),))), _resolve, [])  # type: ignore[arg-type]
    assert [r.text for r in runs if isinstance(r, TextRun)] == ["ab", "c"]
