"""A pack's front matter: cover, contents page, key-points summary page (DOCX writer stage).

The front matter is the pack's first section: the cover, then (each on a new
page) the contents and, when ``pack.summary_page`` is set, the summary page.
It carries the pack's marking at the top and bottom of every page and no page
number, although its pages count (so the first article may start on page 3).

The **contents** is filled in when the file is opened, never a blank field
waiting for Word: one ``toc 1`` paragraph per article (and, with
``depth=2``, a ``toc 2`` paragraph per level-1/2 heading), each a hyperlink to
the article's bookmark holding the title, a dot-leader tab and a
``PAGEREF bookmark \\h`` field whose stored result is the estimated page
(:mod:`.estimate`). LibreOffice computes every ``PAGEREF`` when it lays out
the pages, so its PDF shows the true numbers; Word shows the stored ones until
fields are updated (select all, F9). The entries are deliberately *not* the
result of a ``TOC`` field: LibreOffice imports a ``TOC`` field as a static
index and prints the stored numbers inside it instead of computing them.

The **summary page** gathers each article's key points (``meta.summary``)
under its title (a link to the article); an article without key points is
listed with a note saying so, so that no article silently disappears from the
page. An article whose marking differs from the pack's shows it after its
title on both pages (a portion marking).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from briefpub.tree import Document, PackMeta
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.furniture import text_is_rtl
from briefpub.writers.docx.layout import ArticleContext, Layout
from briefpub.writers.docx.oxml import (
    ParaProps,
    RunProps,
    field,
    hyperlink,
    paragraph,
    rpr,
    tab_run,
    text_run,
)

#: Heading of the contents page.
CONTENTS_HEADING = "Contents"
#: The note under an article that has no key points, on the summary page.
NO_KEY_POINTS = "No key points were given for this article."
#: The contents entry of an article with no title.
UNTITLED = "Untitled"
#: The text of a deliberately blank page (duplex: the back of the cover).
BLANK_PAGE = "This page is intentionally left blank"
#: Unicode directional isolates: text of one direction kept whole on a page of the other.
_LRI, _RLI, _PDI = "\u2066", "\u2067", "\u2069"
#: Bookmarks of the front matter.
COVER_BOOKMARK = "_pack_cover"
SUMMARY_BOOKMARK = "_pack_summary"


@dataclass(frozen=True, slots=True)
class Entry:
    """One article as the contents and summary pages list it."""

    doc: Document
    art: ArticleContext
    marking: str  # the article's own marking when it differs from the pack's, else ""

    @property
    def title(self) -> str:
        """The article's title, or :data:`UNTITLED`."""
        return self.doc.meta.title or UNTITLED


def isolate(text: str, text_rtl: bool | None, page_rtl: bool) -> str:
    """``text`` between directional isolates when its direction differs from the page's.

    A title in the other direction otherwise takes its edge punctuation from the
    page ("<b>x</b>" shows as ">b>x</b<" on a right-to-left page; an English
    sentence's final stop jumps to its start).
    """
    if text_rtl is None or text_rtl == page_rtl:
        return text
    return f"{_RLI if text_rtl else _LRI}{text}{_PDI}"


class FrontMatter:
    """Builds the front-matter pages with the article layout's helpers (bookmarks, language runs)."""

    def __init__(self, layout: Layout, pack: PackMeta) -> None:
        self.layout = layout
        self.sheet = layout.sheet
        self.pack = pack
        self.rtl = layout.style_ctx.rtl

    def cover(self) -> list[etree._Element]:
        """Title a quarter down the page, subtitle, then date, reference, version and compiler."""
        out: list[etree._Element] = []
        pack = self.pack
        quarter = self.layout.area.height / 4
        out.append(paragraph(
            ParaProps(style=st.TITLE, space_before=quarter),
            self.layout.bookmarked(COVER_BOOKMARK, [text_run(pack.title, None)]),
        ))  # fmt: skip
        if pack.subtitle:
            out.append(paragraph(ParaProps(style=st.SUBTITLE), [text_run(pack.subtitle, None)]))
        rows = [
            ("Date", pack.date),
            ("Reference", pack.reference),
            ("Version", pack.version),
            ("Compiled by", pack.compiled_by),
        ]
        for label, value in rows:
            if value:
                out.append(paragraph(ParaProps(style=st.BYLINE, space_after=2.0), [
                    text_run(f"{label}: ", rpr(RunProps(style=st.STRONG))),
                    text_run(value, None),
                ]))  # fmt: skip
        return out

    def blank_page(self) -> list[etree._Element]:
        """A page that says it is blank on purpose (it still carries the section's marking)."""
        props = ParaProps(style=st.NORMAL, page_break_before=True, align="center",
                          space_before=self.layout.area.height / 3)  # fmt: skip
        return [paragraph(props, [text_run(BLANK_PAGE, rpr(RunProps(style=st.EMPHASIS)))])]

    def _entry_runs(self, entry: Entry) -> list[etree._Element]:
        """An article's title (in its own language) and its portion marking, if any."""
        direction = text_is_rtl(entry.title)
        title = isolate(entry.title, entry.art.rtl if direction is None else direction, self.rtl)
        runs = [text_run(title, self.layout.lang_run(entry.art))]
        if entry.marking:
            runs.append(text_run(f" [{entry.marking}]", None))
        return runs

    def contents(
        self,
        entries: Sequence[Entry],
        pages: Mapping[str, int],
        *,
        depth: int = 1,
        summary: bool = False,
    ) -> list[etree._Element]:
        """The contents page: heading, then one linked entry per article (and heading, at ``depth`` 2).

        ``pages`` maps bookmarks to the estimated page numbers stored as the
        ``PAGEREF`` results (a missing one is stored as ``1``).
        """
        heading = paragraph(ParaProps(style=st.TOC_HEADING, page_break_before=True),
                            [text_run(CONTENTS_HEADING, None)])  # fmt: skip
        lines: list[tuple[str, str, list[etree._Element]]] = []  # (style, bookmark, runs)
        if summary:
            lines.append((st.TOC1, SUMMARY_BOOKMARK, [text_run(self.summary_heading, None)]))
        for entry in entries:
            lines.append((st.TOC1, entry.art.bookmark, self._entry_runs(entry)))
            if depth >= 2:
                for item in entry.art.outline:
                    if item.level <= 2 and item.text:
                        text = isolate(item.text, entry.art.rtl, self.rtl)
                        runs = [text_run(text, self.layout.lang_run(entry.art))]
                        lines.append((st.TOC2, item.bookmark, runs))
        out = [heading]
        for style, target, runs in lines:
            page = str(pages.get(target, 1))
            link = hyperlink([*runs, tab_run(), *field(f"PAGEREF {target} \\h", page, None)], anchor=target)
            out.append(paragraph(ParaProps(style=style), [link]))
        return out

    @property
    def summary_heading(self) -> str:
        """The summary page's heading: the style sheet's key-points title."""
        return self.sheet.boxes.title.strip() or "Key points"

    def summary(self, entries: Sequence[Entry]) -> list[etree._Element]:
        """The key-points page: each article's title (a link) over its key points, or a note."""
        out = [paragraph(
            ParaProps(style=st.TOC_HEADING, page_break_before=True),
            self.layout.bookmarked(SUMMARY_BOOKMARK, [text_run(self.summary_heading, None)]),
        )]  # fmt: skip
        for entry in entries:
            art = entry.art
            title = hyperlink(self._entry_runs(entry), anchor=art.bookmark)
            out.append(paragraph(ParaProps(style=st.KEY_POINTS, bidi=art.bidi), [title]))
            points = entry.doc.meta.summary
            if not points:
                note = text_run(isolate(NO_KEY_POINTS, False, self.rtl), rpr(RunProps(style=st.EMPHASIS)))
                out.append(paragraph(ParaProps(style=st.BODY, align="left"), [note]))
            num = (self.layout.numbering.bullets(1), 0) if points else None
            for point in points:
                run = text_run(point, self.layout.lang_run(art))
                out.append(paragraph(ParaProps(style=st.bullet_id(1), num=num, bidi=art.bidi), [run]))
        return out
