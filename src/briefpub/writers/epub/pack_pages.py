"""The front matter of a briefing pack: contents page and key-points summary page (writer stage).

A pack's spine is the cover, then the contents page, then (when
``pack.summary_page`` is set) the summary page, then one document per article.
Both pages are built here from :class:`PackEntry` values, one per article, with
the same lxml helpers as the articles (escaped by construction, never
pretty-printed), and carry the pack's protective marking at the top and bottom.

* The **contents page** lists every article in order: its number, its title
  (a link to the article's document), and its byline (authors, date, outlet,
  from ``_common.byline``). It links the summary page when there is one.
* The **summary page** gathers each article's key points (``meta.summary``)
  under the article's title (again a link). An article without key points is
  still listed, with a note saying so: the page is an index of the whole pack,
  and a silently missing article would read as "nothing to report".

An article whose own marking differs from the pack's has that marking shown
next to its entry on both pages (a portion marking), so words from a more
sensitive article never appear unmarked on a page carrying only the pack's
marking. An article's title, byline and key points carry the article's
``lang`` (and ``dir``) when its language or direction differs from the pack's,
on inline elements: ``dir`` on an inline isolates the run, so an English byline
reads correctly on an Arabic page while the entry keeps the page's alignment
and list markers. The page's fixed English labels ("Contents", the
no-key-points note) are marked ``lang="en"`` (and isolated left to right) on a
page in another language, so screen readers voice them correctly and
punctuation stays in place on right-to-left pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from briefpub.writers.epub.xhtml import EPUB_NS, XML_NS, Language, _html_root, _serialise, _sub

__all__ = [
    "CONTENTS_HEADING",
    "NO_KEY_POINTS",
    "PackEntry",
    "render_contents_page",
    "render_summary_page",
]

#: Heading of the contents page (and its label in the landmarks and guide).
CONTENTS_HEADING = "Contents"
#: The note under an article that has no key points, on the summary page.
NO_KEY_POINTS = "No key points were given for this article."


@dataclass(frozen=True, slots=True)
class PackEntry:
    """One article as the pack's contents and summary pages list it."""

    number: int
    file_name: str
    title: str
    byline: str
    lang: Language
    marking: str
    key_points: tuple[str, ...]


def _language_attributes(element: etree._Element, entry: PackEntry, page: Language) -> etree._Element:
    """Give the inline ``element`` (words of the article) the article's language and direction where they differ."""
    if entry.lang.tag != page.tag:
        element.set("lang", entry.lang.tag)
        element.set(f"{{{XML_NS}}}lang", entry.lang.tag)
    if entry.lang.rtl != page.rtl:
        element.set("dir", entry.lang.direction)
    return element


def _article_words(parent: etree._Element, text: str, entry: PackEntry, page: Language) -> None:
    """Put words of the article in ``parent``: in a ``<span>`` with its language when it differs from the page's."""
    if entry.lang.tag == page.tag and entry.lang.rtl == page.rtl:
        parent.text = text
    else:
        _language_attributes(_sub(parent, "span", text=text), entry, page)


def _label(element: etree._Element, text: str, page: Language) -> etree._Element:
    """Put one of the page's fixed English labels in ``element``; marked English on other pages."""
    if page.tag.lower().split("-")[0] == "en":
        element.text = text
    else:
        _sub(element, "span", {"lang": "en", f"{{{XML_NS}}}lang": "en", "dir": "ltr"}, text)
    return element


def _portion_marking(parent: etree._Element, entry: PackEntry, page_marking: str) -> None:
    """Show the article's marking after its title when the page's marking does not already say it."""
    marking = entry.marking.strip()
    if marking and marking != page_marking.strip():
        parent[-1].tail = " "
        _sub(parent, "span", {"class": "entry-marking"}, f"[{marking}]")


def _markings(body: etree._Element, marking: str, *, top: bool) -> None:
    if marking:
        where = "top" if top else "bottom"
        _sub(body, "p", {"class": f"marking marking-{where}", "id": f"marking-{where}"}, marking, block=True)


def render_contents_page(
    entries: list[PackEntry],
    *,
    pack_title: str,
    lang: Language,
    marking: str,
    summary: tuple[str, str] | None = None,
) -> bytes:
    """The contents page: every article's number, linked title and byline, in order.

    ``summary`` is ``(file name, label)`` of the summary page, linked above the
    list when the pack has one.
    """
    html, body = _html_root(lang, f"{CONTENTS_HEADING} \u2014 {pack_title}", body_class="contents-page")
    _markings(body, marking, top=True)
    section = _sub(
        body,
        "section",
        {f"{{{EPUB_NS}}}type": "toc", "id": "contents", "aria-labelledby": "contents-heading"},
        block=True,
    )
    section.text = "\n"
    header = _sub(section, "header", block=True)
    header.text = "\n"
    _label(_sub(header, "h1", {"class": "title", "id": "contents-heading"}, block=True), CONTENTS_HEADING, lang)
    _sub(header, "p", {"class": "subtitle"}, pack_title, block=True)
    if summary is not None:
        p = _sub(section, "p", {"class": "contents-summary"}, block=True)
        _sub(p, "a", {"href": summary[0]}, summary[1])
    listing = _sub(section, "ol", {"class": "contents"}, block=True)
    listing.text = "\n"
    for entry in entries:
        item = _sub(listing, "li", {"class": "contents-entry", "id": f"contents-{entry.number:03d}"}, block=True)
        item.text = "\n"
        title = _sub(item, "p", {"class": "contents-title"}, block=True)
        _language_attributes(_sub(title, "a", {"href": entry.file_name}, entry.title), entry, lang)
        _portion_marking(title, entry, marking)
        if entry.byline:
            _article_words(_sub(item, "p", {"class": "contents-byline"}, block=True), entry.byline, entry, lang)
    _markings(body, marking, top=False)
    return _serialise(html)


def render_summary_page(
    entries: list[PackEntry],
    *,
    heading: str,
    lang: Language,
    marking: str,
) -> bytes:
    """The summary page: each article's key points under its linked title (a note when it has none)."""
    html, body = _html_root(lang, heading, body_class="summary-page")
    _markings(body, marking, top=True)
    section = _sub(body, "section", {"id": "summary", "aria-labelledby": "summary-heading"}, block=True)
    section.text = "\n"
    _sub(section, "h1", {"class": "title", "id": "summary-heading"}, heading, block=True)
    for entry in entries:
        anchor = f"summary-{entry.number:03d}"
        part = _sub(
            section,
            "section",
            {"class": "summary-entry", "id": anchor, "aria-labelledby": f"{anchor}-title"},
            block=True,
        )
        part.text = "\n"
        title = _sub(part, "h2", {"class": "heading2 summary-title", "id": f"{anchor}-title"}, block=True)
        _language_attributes(_sub(title, "a", {"href": entry.file_name}, entry.title), entry, lang)
        _portion_marking(title, entry, marking)
        if entry.byline:
            _article_words(_sub(part, "p", {"class": "summary-byline"}, block=True), entry.byline, entry, lang)
        points = [p.strip() for p in entry.key_points if p.strip()]
        if points:
            listing = _sub(part, "ul", {"class": "summary-points"}, block=True)
            listing.text = "\n"
            for point in points:
                _article_words(_sub(listing, "li", block=True), point, entry, lang)
        else:
            _label(_sub(part, "p", {"class": "no-key-points"}, block=True), NO_KEY_POINTS, lang)
    _markings(body, marking, top=False)
    return _serialise(html)
