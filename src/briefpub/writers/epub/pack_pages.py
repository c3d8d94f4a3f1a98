"""The front matter of a briefing pack: contents page and key-points summary page (writer stage).

A pack's spine is the cover, then the contents page, then (when the pack asks
for one) the summary page, then one document per article. Both pages render
the pack's frame (:class:`~briefpub.writers.common.frame.PackFrame`): its
labels and dates in the pack's language, its marking at the top and bottom.

* The **contents page** lists every article in order: its title (a link to the
  article's document) and its byline; with ``furniture.contents_depth`` 2 or 3
  also its headings to that depth. With a page list, each entry also says
  where the article starts in the print edition ("Page 7 of 24", the printed
  footer's words), so a room holding both can find it, and the print edition's
  front-matter page markers sit at the top of the page.
* The **summary page** gathers each article's key points under its title (a
  link); an article without key points is represented by its opening sentence,
  clearly labelled ("Opening sentence: ..."), and an article with neither says
  so: the page is an index of the whole pack, and a silently missing article
  would read as "nothing to report".

An article whose own marking differs from the pack's has it shown after its
title (a portion marking), so words from a more sensitive article never appear
unmarked on a page carrying only the pack's marking. An article's words carry
its ``lang`` (and ``dir``) where they differ from the page's, on inline
elements: ``dir`` on an inline isolates the run, so an English byline reads
correctly on an Arabic page while the entry keeps the page's alignment.
"""

from __future__ import annotations

from lxml import etree

from briefpub.writers import PageStart
from briefpub.writers.common.frame import ArticleFrame, PackFrame
from briefpub.writers.epub.article import Context, NavHeading, render_byline, render_marks
from briefpub.writers.epub.xhtml import (
    EPUB_TYPE,
    Language,
    append_text,
    html_root,
    label_prefix,
    mark_language,
    serialise,
    sub,
)

__all__ = ["render_contents_page", "render_summary_page"]


def _markings(body: etree._Element, marking: str, where: str) -> None:
    if marking:
        sub(body, "p", {"class": f"marking marking-{where}"}, marking, block=True)


def _words(parent: etree._Element, text: str, lang: Language, page: Language) -> etree._Element:
    """Put an article's words in ``parent``: in a ``<span>`` with its language when it differs from the page's."""
    if lang.tag.lower() == page.tag.lower() and lang.rtl == page.rtl:
        append_text(parent, text)
        return parent
    return mark_language(sub(parent, "span", text=text), lang, page)


def _portion_marking(parent: etree._Element, article: ArticleFrame) -> None:
    if article.portion_marking:
        append_text(parent, " ")
        sub(parent, "span", {"class": "entry-marking"}, f"[{article.portion_marking}]")


def _title_link(parent: etree._Element, article: ArticleFrame, ctx: Context, lang: Language, page: Language) -> None:
    link = sub(parent, "a", {"href": ctx.file_of(article.index)}, ctx.text(article.title, lang.tag))
    mark_language(link, lang, page)
    _portion_marking(parent, article)


def render_contents_page(
    pack: PackFrame,
    ctx: Context,
    *,
    page: Language,
    languages: list[Language],
    headings: list[tuple[NavHeading, ...]],
    summary_file: str | None,
    marks: list[PageStart],
    printed: list[str] | None = None,
) -> bytes:
    """The contents page (see the module docstring); ``languages``, ``headings`` and ``printed`` (where each
    article starts in the print edition, "Page 7 of 24"; empty without a page list) are per article."""
    pack_title = ctx.text(pack.title, page.tag)
    html, body = html_root(page, f"{pack.contents_label} \u2014 {pack_title}", body_class="contents-page",
                           css=ctx.css)
    _markings(body, pack.marking, "top")
    section = sub(body, "section", {EPUB_TYPE: "toc", "role": "doc-toc", "id": pack.contents_anchor,
                                    "aria-labelledby": "contents_title"}, block=True)
    section.text = "\n"
    header = sub(section, "header", block=True)
    header.text = "\n"
    render_marks(header, marks)
    sub(header, "h1", {"class": "title", "id": "contents_title"}, pack.contents_label, block=True)
    sub(header, "p", {"class": "subtitle"}, pack_title, block=True)
    if summary_file is not None:
        p = sub(section, "p", {"class": "contents-summary"}, block=True)
        sub(p, "a", {"href": summary_file}, pack.summary_label)
    listing = sub(section, "ol", {"class": "contents"}, block=True)
    listing.text = "\n"
    for article, lang, article_headings in zip(pack.articles, languages, headings, strict=True):
        item = sub(listing, "li", {"class": "contents-entry", "id": f"contents_{article.number}"}, block=True)
        item.text = "\n"
        _title_link(sub(item, "p", {"class": "contents-title"}, block=True), article, ctx, lang, page)
        if article.byline.text:
            byline = sub(item, "p", {"class": "contents-byline"}, block=True)
            render_byline(byline, article, ctx, article=lang, dates=page, around=page, link=False)
        if printed and printed[article.index]:
            sub(item, "p", {"class": "contents-print-page"}, printed[article.index], block=True)
        shown = [h for h in article_headings if h.depth < pack.contents_depth]
        if shown:
            _heading_list(item, shown, ctx.file_of(article.index), lang, page)
    _markings(body, pack.marking, "bottom")
    return serialise(html)


def _heading_list(parent: etree._Element, headings: list[NavHeading], file_name: str, lang: Language,
                  page: Language) -> None:
    """The article's headings, nested by depth, under its contents entry."""
    root = sub(parent, "ol", {"class": "contents-headings"}, block=True)
    root.text = "\n"
    stack: list[tuple[int, etree._Element]] = [(0, root)]
    last_item: etree._Element | None = None
    for heading in headings:
        while len(stack) > 1 and stack[-1][0] >= heading.depth:
            stack.pop()
        if heading.depth > stack[-1][0] + 1 and last_item is not None:
            nested = sub(last_item, "ol", {"class": "contents-headings"}, block=True)
            nested.text = "\n"
            stack.append((heading.depth - 1, nested))
        item = sub(stack[-1][1], "li", block=True)
        link = sub(item, "a", {"href": f"{file_name}#{heading.anchor}"}, heading.text)
        mark_language(link, lang, page)
        last_item = item


def render_summary_page(
    pack: PackFrame,
    ctx: Context,
    *,
    page: Language,
    languages: list[Language],
) -> bytes:
    """The summary page (see the module docstring)."""
    html, body = html_root(page, pack.summary_label, body_class="summary-page", css=ctx.css)
    _markings(body, pack.marking, "top")
    section = sub(body, "section", {"id": pack.summary_anchor, "aria-labelledby": "summary_title"}, block=True)
    section.text = "\n"
    sub(section, "h1", {"class": "title", "id": "summary_title"}, pack.summary_label, block=True)
    for entry, lang in zip(pack.summary, languages, strict=True):
        article = entry.article
        anchor = f"summary_{article.number}"
        part = sub(section, "section", {"class": "summary-entry", "id": anchor,
                                        "aria-labelledby": f"{anchor}_title"}, block=True)
        part.text = "\n"

        def text(value: str, tag: str = lang.tag) -> str:
            return ctx.text(value, tag)

        title = sub(part, "h2", {"class": "summary-title", "id": f"{anchor}_title"}, block=True)
        _title_link(title, article, ctx, lang, page)
        if article.byline.text:
            byline = sub(part, "p", {"class": "summary-byline"}, block=True)
            render_byline(byline, article, ctx, article=lang, dates=page, around=page, link=False)
        points = [p.strip() for p in entry.points if p.strip()]
        if points:
            listing = sub(part, "ul", {"class": "summary-points"}, block=True)
            listing.text = "\n"
            for point in points:
                _words(sub(listing, "li", block=True), text(point), lang, page)
        elif entry.lede:
            # The label is the pack's (its language), the opening sentence the article's.
            lede = sub(part, "p", {"class": "summary-lede"}, block=True)
            sub(lede, "span", {"class": "label"}, label_prefix(entry.lede_label, page.tag))
            _words(lede, text(entry.lede), lang, page)
        else:
            note = sub(part, "p", {"class": "no-key-points"}, block=True)
            _words(note, article.labels.no_key_points, lang, page)
    _markings(body, pack.marking, "bottom")
    return serialise(html)
