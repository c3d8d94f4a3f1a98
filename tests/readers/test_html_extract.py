"""The HTML reader's extraction (readers/html/_extract.py): measures cached per distinct attributes, removal
reports, and what survives removals inside the article."""

from __future__ import annotations

from lxml import etree

from briefpub.diagnostics import excerpt
from briefpub.readers import read_bytes
from briefpub.readers.common.notes import Notes
from briefpub.readers.html._extract import PageStats, drop_boilerplate_inside, report_removal
from briefpub.readers.html._parse import parse_document, text_of

PARAGRAPH = "A sentence of the article that is long enough to count as one of its paragraphs. " * 3


def body_of(markup: str) -> etree._Element:
    body = parse_document(f"<html><body>{markup}</body></html>", "page.html", Notes("page.html")).find("body")
    assert body is not None
    return body


def candidates(markup: str) -> list[tuple[int, str]]:
    return [(priority, el.get("id") or "") for priority, el in PageStats(body_of(markup)).candidates]


def test_candidate_priority_follows_each_elements_own_role_and_itemprop() -> None:
    # The same class on every element: the cache key must hold role and itemprop too.
    markup = "".join(f'<div class="article-body" id="d{i}"{extra}><p>{PARAGRAPH}</p></div>' for i, extra in enumerate(
        ["", ' itemprop="articleBody"', ' role="main"', ' role=""', ' itemprop="ArticleBody" role="main"']))
    assert candidates(markup) == [(3, "d0"), (1, "d1"), (2, "d2"), (3, "d3"), (1, "d4")]
    assert candidates('<div role="main" id="m"><p>x</p></div><main id="n"><p>y</p></main><article id="a"></article>'
                      '<div role="" id="e"></div><div id="plain"></div>') == [(2, "m"), (2, "n"), (0, "a")]


def test_classification_follows_attributes_changed_between_measures() -> None:
    body = body_of(f'<div class="story" id="x"><p>{PARAGRAPH}</p></div><div class="side"><p>{PARAGRAPH}</p></div>')
    el = body[0]
    assert el not in PageStats(body).classified
    el.set("class", "cookie-banner")
    assert PageStats(body).classified[el] == ("cookie banner", True)
    el.set("class", "story")
    el.set("role", "navigation")
    assert PageStats(body).classified[el] == ("navigation", False)
    del el.attrib["role"]
    assert el not in PageStats(body).classified


def test_report_removal_quotes_and_counts_like_the_whole_text() -> None:
    words = [f"word{i}" for i in range(2000)]
    body = body_of("<div>" + "".join(f"<span> {w}\n</span>" for w in words) + "</div><div>short   text</div>"
                   "<div> </div>")
    notes = Notes("page.html")
    for el in body:
        report_removal(notes, el, "thing")
    assert [d.message.split(" (")[1].split(" words")[0] for d in notes.items] == ["2000", "2"]
    assert [d.text for d in notes.items] == [excerpt(text_of(body[0])), "short text"]
    verbatim = Notes("page.html", verbatim=True)
    report_removal(verbatim, body[0], "thing")
    assert verbatim.items[0].text == text_of(body[0])


def test_boilerplate_inside_removed_boilerplate_is_not_reported_again() -> None:
    container = body_of(
        f'<article><p>{PARAGRAPH}</p><div class="share-tools"><a href="/a">Share</a>'
        '<div class="share-tools"><a href="/b">Tweet</a></div></div><p>After.</p></article>')[0]
    notes = Notes("page.html")
    drop_boilerplate_inside(container, notes, PageStats(container.getparent()))  # type: ignore[arg-type]
    assert len(notes.items) == 1 and "Share Tweet" in notes.items[0].text
    assert "After." in text_of(container) and "Share" not in text_of(container)


def test_a_whole_page_form_is_unwrapped_after_small_forms() -> None:
    page = (b"<html><body><form><input name=q><button>Search</button></form><form action=x><h1>Headline</h1>"
            + f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>".encode() + b"<input name=e></form></body></html>")
    result = read_bytes(page, source="page.html", fmt="html")
    assert result.document.meta.title == "Headline"
    assert "form around the page unwrapped" in " ".join(d.message for d in result.diagnostics)
