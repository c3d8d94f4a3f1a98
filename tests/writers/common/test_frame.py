"""The article and pack frame: decided once for every writer."""

from __future__ import annotations

import dataclasses

from briefpub.styling import load_style
from briefpub.transforms import prepare
from briefpub.tree import BlockQuote, Document, Heading, Link, Meta, PackMeta, Paragraph, Publication, Text
from briefpub.writers.common.frame import frames, lede_sentence, outline_depths
from briefpub.writers.common.links import External, Internal, Refused

STYLE = load_style("briefing")


def _doc(title: str = "Talks resume", language: str = "", **meta: object) -> Document:
    body = (
        Paragraph((Text("Mr. Smith arrived in Geneva on Monday. Talks began at once."),)),
        Heading(2, (Text("Background"),)),
        Paragraph((Link("#background-1", (Text("see below"),)), Text(" "), Link("https://", (Text("x"),)))),
        BlockQuote((Heading(2, (Text("Background"),)),)),
    )
    return prepare(Document(Meta(title=title, language=language, **meta), body))  # type: ignore[arg-type]


def test_single_article_frame() -> None:
    doc = _doc(authors=("Ann Lee", "Bo Chen"), date="23/01/2017", source="Daily", url="https://daily.example/a",
               marking="OFFICIAL", summary=("One", "Two"))
    f = frames(Publication((doc,)), STYLE)
    assert f.pack is None and f.footer_template == "Page {page} of {pages}"
    art = f.articles[0]
    assert art.title == "Talks resume" and art.title_anchor == "article" and art.article_label == ""
    assert art.byline.text == "By Ann Lee and Bo Chen · 23 January 2017 · Daily"
    assert art.byline.source_link == External("https://daily.example/a")
    assert [d.key for d in art.attribution] == ["source", "author", "published", "link"]
    assert art.key_points == ("One", "Two") and art.key_points_label == "Key points"
    assert [(e.anchor, e.depth) for e in art.outline] == [("background", 1), ("background-1", 1)]
    assert art.resolve("#background-1") == Internal("background-1", 0)
    assert isinstance(art.resolve("https://"), Refused)
    assert art.lede == "Mr. Smith arrived in Geneva on Monday."


def test_pack_frame_is_localised_and_prefixes_anchors() -> None:
    a = _doc("Erster", "de", date="2017-01-23", marking="OFFICIAL-SENSITIVE", summary=("Punkt",))
    b = _doc("", "de")
    pack = PackMeta(title="Lage", date="2026-12-01", reference="BP-7", version="2", compiled_by="Desk",
                    marking="OFFICIAL", language="de", summary_page=True)
    f = frames(Publication((a, b), pack), STYLE)
    assert f.pack is not None
    assert [(d.label, d.value) for d in f.pack.details] == [
        ("Datum", "1. Dezember 2026"), ("Referenz", "BP-7"), ("Version", "2"), ("Zusammengestellt von", "Desk")]
    assert f.footer_template == "BP-7 · Version 2 · Seite {page} von {pages}"
    assert f.pack.contents_label == "Inhalt" and f.pack.summary_label == "Kernpunkte"
    first, second = f.articles
    assert first.byline.date == "23. Januar 2017" and first.portion_marking == "OFFICIAL-SENSITIVE"
    assert second.title == "Ohne Titel" and not second.has_title and second.marking == "OFFICIAL"
    assert first.outline[0].anchor == "a1-background" and second.title_anchor == "article-2"
    assert first.resolve("#background") == Internal("a1-background", 0)
    assert second.article_label == "Artikel 2 von 2"
    entries = f.pack.summary
    assert entries[0].points == ("Punkt",) and entries[0].lede == ""
    assert entries[1].points == () and entries[1].lede.startswith("Mr. Smith")
    assert entries[1].lede_label == "Erster Satz"


def test_style_values_override_the_catalogue() -> None:
    style = dataclasses.replace(STYLE, boxes=dataclasses.replace(STYLE.boxes, title="Bottom line"),
                                furniture=dataclasses.replace(STYLE.furniture, footer="{page}/{pages}"))
    f = frames(Publication((_doc(language="fr", summary=("x",)),)), style)
    assert f.articles[0].key_points_label == "Bottom line" and f.footer_template == "{page}/{pages}"


def test_outline_depths_never_skip() -> None:
    assert outline_depths([2, 4, 3, 2, 5]) == [1, 2, 2, 1, 2]
    assert outline_depths([]) == []


def test_lede_skips_abbreviations_and_cuts_long_sentences() -> None:
    doc = Document(blocks=(Paragraph((Text("Gen. Lee said the U.S. plan works. Then more."),)),))
    assert lede_sentence(doc) == "Gen. Lee said the U.S. plan works."
    long = Document(blocks=(Paragraph((Text("word " * 200),)),))
    assert len(lede_sentence(long)) <= 321 and lede_sentence(long).endswith("\u2026")


def test_pack_furniture_is_in_the_pack_language_and_untitled_articles_run_under_the_pack_title() -> None:
    english = _doc("", "en")
    pack = PackMeta(title="Lage", language="de")
    f = frames(Publication((english, _doc("Zwei", "de")), pack), STYLE)
    first = f.articles[0]
    assert first.article_label == "Artikel 1 von 2" and first.running_header == "Lage"
    assert first.title == "Untitled" and first.labels.language == "en"  # the article's own labels stay English
    assert f.pack is not None and f.pack.summary[0].lede_label == "Erster Satz"
