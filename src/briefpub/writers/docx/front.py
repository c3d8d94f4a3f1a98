"""A pack's front and back matter: cover, contents, summary page, end mark (DOCX writer stage).

Everything printed here comes from the :class:`~briefpub.writers.common.frame.PackFrame`
(labels in the pack's language, cover details in order, dates formatted once,
summary entries, the end-of-pack mark); this module only sets it in Word styles.

The front matter is the pack's first section: the cover (Title style: the only
use of it), then, each on a new page, the contents and, when the pack asks for
it, the summary page. It carries the pack's marking at the top and bottom of
every page and no page number, although its pages count.

The **contents** is a real ``TOC \\o "1-N" \\h \\z \\u`` field, so Word's
"Update table" and LibreOffice's "Update index" rebuild it from the Heading 1
article titles (and Heading 2-3 sections, with a deeper ``contents_depth``).
Its stored result is filled in: one ``toc N`` paragraph per entry, a hyperlink
to the entry's bookmark holding the title, a dot-leader tab and a ``PAGEREF``
field whose stored result is the page :mod:`.estimate` computed. Word shows
that result until fields are updated; LibreOffice imports the field as a
table-of-contents index and prints the stored result as it is (it does not
recompute the ``PAGEREF`` fields inside an index when converting), so the
estimate is what a reader of LibreOffice's PDF sees: the tests compare every
entry with the page LibreOffice prints the article on.

The **summary page** gathers each article's key points under its title (a
link to the article); an article without key points is represented by its
opening sentence, labelled as such, so no article silently disappears. An
article whose marking differs from the pack's shows it after its title on
both pages (a portion marking).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from briefpub.writers.common.frame import PackFrame
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.furniture import text_is_rtl
from briefpub.writers.docx.layout import ArticleContext, Layout, bookmark_name
from briefpub.writers.docx.oxml import (
    ParaProps,
    RunProps,
    field,
    field_char,
    field_code,
    hyperlink,
    paragraph,
    rpr,
    tab_run,
    text_run,
)

#: Unicode directional isolates: text of one direction kept whole on a page of the other.
_LRI, _RLI, _PDI = "\u2066", "\u2067", "\u2069"


def isolate(text: str, text_rtl: bool | None, page_rtl: bool) -> str:
    """``text`` between directional isolates when its direction differs from the page's.

    A title in the other direction otherwise takes its edge punctuation from the
    page ("<b>x</b>" shows as ">b>x</b<" on a right-to-left page; an English
    sentence's final stop jumps to its start).
    """
    if text_rtl is None or text_rtl == page_rtl:
        return text
    return f"{_RLI if text_rtl else _LRI}{text}{_PDI}"


@dataclass(frozen=True, slots=True)
class ContentsLine:
    """One entry of the contents: its ``toc N`` level, target bookmark and runs."""

    level: int
    bookmark: str
    runs: list[etree._Element]


class FrontMatter:
    """Builds the pack's own pages with the article layout's helpers (bookmarks, language runs)."""

    def __init__(self, layout: Layout, pack: PackFrame, articles: Sequence[ArticleContext]) -> None:
        self.layout = layout
        self.pack = pack
        self.articles = articles
        self.rtl = layout.style_ctx.rtl

    def _text(self, value: str) -> str:
        return self.layout.text(value, self.pack.language)

    @property
    def cover_bookmark(self) -> str:
        """The bookmark on the cover's title."""
        return bookmark_name(self.pack.cover_anchor)

    @property
    def summary_bookmark(self) -> str:
        """The bookmark on the summary page's heading."""
        return bookmark_name(self.pack.summary_anchor)

    def cover(self) -> list[etree._Element]:
        """Title a quarter down the page, subtitle, then the frame's cover details in order."""
        out: list[etree._Element] = []
        pack = self.pack
        quarter = self.layout.area.height / 4
        out.append(paragraph(
            ParaProps(style=st.TITLE, space_before=quarter),
            self.layout.bookmarked(self.cover_bookmark, [text_run(self._text(pack.title), None)]),
        ))  # fmt: skip
        if pack.subtitle:
            out.append(paragraph(ParaProps(style=st.SUBTITLE), [text_run(self._text(pack.subtitle), None)]))
        for detail in pack.details:
            out.append(paragraph(ParaProps(style=st.BYLINE, space_after=2.0), [
                text_run(f"{detail.label}: ", rpr(RunProps(style=st.STRONG))),
                text_run(detail.value, None),
            ]))  # fmt: skip
        return out

    def blank_page(self, *, page_break: bool = True) -> list[etree._Element]:
        """A page that says it is blank on purpose (it still carries the section's marking)."""
        props = ParaProps(style=st.BLANK_NOTE, page_break_before=page_break,
                          space_before=self.layout.area.height / 3)  # fmt: skip
        return [paragraph(props, [text_run(self.pack.blank_page, None)])]

    def _title_runs(self, art: ArticleContext) -> list[etree._Element]:
        """An article's title (in its own language) and its portion marking, if any."""
        frame = art.frame
        text = self.layout.text(frame.title, frame.language)
        direction = text_is_rtl(text)
        title = isolate(text, frame.rtl if direction is None else direction, self.rtl)
        runs = [text_run(title, rpr(art.run_base))]
        if frame.portion_marking:
            runs.append(text_run(f" [{frame.portion_marking}]", None))
        return runs

    def contents_lines(self, depth: int, summary: bool) -> list[ContentsLine]:
        """The entries: the summary page, then each article and (``depth`` > 1) its top sections."""
        lines: list[ContentsLine] = []
        if summary:
            lines.append(ContentsLine(1, self.summary_bookmark, [text_run(self._text(self.pack.summary_label), None)]))
        for art in self.articles:
            lines.append(ContentsLine(1, art.bookmark, self._title_runs(art)))
            for entry in art.frame.outline:
                if entry.depth < depth and entry.text:
                    text = isolate(self.layout.text(entry.text, art.language), art.rtl, self.rtl)
                    runs = [text_run(text, rpr(art.run_base))]
                    lines.append(ContentsLine(entry.depth + 1, bookmark_name(entry.anchor), runs))
        return lines

    def contents(self, pages: Mapping[str, int], *, depth: int = 1, summary: bool = False) -> list[etree._Element]:
        """The contents page: its heading, then a TOC field whose stored result lists every entry.

        ``pages`` maps bookmarks to the estimated pages stored as the ``PAGEREF``
        results (a missing one is stored as ``1``).
        """
        heading = paragraph(ParaProps(style=st.TOC_HEADING, page_break_before=True),
                            [text_run(self._text(self.pack.contents_label), None)])  # fmt: skip
        levels = max(1, min(depth, 3))
        instruction = f'TOC \\o "1-{levels}" \\h \\z \\u'
        out = [heading]
        lines = self.contents_lines(levels, summary)
        for index, line in enumerate(lines):
            page = str(pages.get(line.bookmark, 1))
            entry = hyperlink([*line.runs, tab_run(), *field(f"PAGEREF {line.bookmark} \\h", page, None)],
                              anchor=line.bookmark)  # fmt: skip
            content = [entry]
            if index == 0:
                content = [*field_code(instruction), entry]
            if index == len(lines) - 1:
                content.append(field_char("end"))
            out.append(paragraph(ParaProps(style=st.toc_id(line.level)), content))
        return out

    def summary(self) -> list[etree._Element]:
        """The key-points page: each article's title (a link) over its key points, or its opening sentence.

        The heading has outline level 1 (not Heading 1: it is not an article), so
        a regenerated contents still lists the page.
        """
        pack = self.pack
        out = [paragraph(
            ParaProps(style=st.TOC_HEADING, page_break_before=True, outline_level=0),
            self.layout.bookmarked(self.summary_bookmark, [text_run(self._text(pack.summary_label), None)]),
        )]  # fmt: skip
        contexts = {id(art.frame): art for art in self.articles}
        for entry in pack.summary:
            art = contexts[id(entry.article)]
            title = hyperlink(self._title_runs(art), anchor=art.bookmark)
            out.append(paragraph(ParaProps(style=st.SUMMARY_ENTRY, bidi=art.bidi), [title]))
            if entry.points:
                num = (self.layout.numbering.bullets(1), 0)
                for point in entry.points:
                    run = text_run(self.layout.text(point, art.language), rpr(art.run_base))
                    out.append(paragraph(ParaProps(style=st.bullet_id(1), num=num, bidi=art.bidi), [run]))
            elif entry.lede:
                label = text_run(f"{entry.lede_label}: ", rpr(RunProps(style=st.STRONG)))
                lede = text_run(self.layout.text(entry.lede, art.language), rpr(art.run_base))
                out.append(paragraph(ParaProps(style=st.BODY, align="left", bidi=art.bidi), [label, lede]))
            else:
                note = isolate(art.frame.labels.no_key_points, False, self.rtl)
                out.append(paragraph(ParaProps(style=st.BODY, align="left"),
                                     [text_run(note, rpr(RunProps(style=st.EMPHASIS)))]))  # fmt: skip
        return out

    def end_mark(self) -> etree._Element:
        """The end-of-pack mark after the last article."""
        mark = f"\u2014 {self._text(self.pack.end_mark)} \u2014"
        return paragraph(ParaProps(style=st.END_MARK), [text_run(mark, None)])

