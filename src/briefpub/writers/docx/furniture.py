"""Page setup, sections, running headers and "Page X of Y" footers (DOCX writer stage).

A DOCX has no pages, only sections: each ``w:sectPr`` carries the paper size,
margins and references to its own header and footer parts. A single article
is one section; a pack is a front-matter section (cover, contents, summary)
followed by one section per article (a new-page, or odd-page for duplex,
section break), which is what lets every article's running header name that
article. Page numbers run on through the
whole file, so ``NUMPAGES`` is the pack's total.

The header holds the protective marking (centred, top of every page) and the
running title; the footer holds the page number line and the marking again
(bottom of every page). Page numbers are complex ``PAGE``/``NUMPAGES`` fields,
which Word and LibreOffice evaluate on every page.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from docx.section import Section
from lxml import etree

from briefpub.styling.model import StyleSheet
from briefpub.writers.docx.oxml import (
    PPR_ORDER,
    SECTPR_ORDER,
    ParaProps,
    ensure_child,
    field,
    insert_ordered,
    new,
    paragraph,
    qn,
    remove_children,
    text_run,
    twips,
)
from briefpub.writers.docx.styles import FOOTER, HEADER, MARKING, NORMAL

if TYPE_CHECKING:
    from docx.oxml.section import CT_SectPr

_TOKEN = re.compile(r"(\{page\}|\{pages\})")
#: Field results stored in the file for readers that do not evaluate fields.
CACHED_PAGE = "1"
CACHED_PAGES = "1"


@dataclass(frozen=True, slots=True)
class TextArea:
    """The text block of a page in points: what images and tables are scaled to."""

    width: float
    height: float


def text_area(sheet: StyleSheet) -> TextArea:
    """Page size minus margins (and the binding gutter)."""
    width, height = sheet.page_size
    page = sheet.page
    return TextArea(
        width=width - page.margin_inner - page.margin_outer - page.gutter,
        height=height - page.margin_top - page.margin_bottom,
    )


def setup_page(sect_pr: etree._Element, sheet: StyleSheet, *, rtl: bool) -> None:
    """Paper size and margins from the style sheet on a ``w:sectPr``.

    The header and footer sit at 40% of the top and bottom margins, leaving
    room for the marking line above the running title. ``page.gutter`` is the
    binding margin, added to the inside margin (with mirrored margins in duplex,
    set in ``settings.xml``, the inside is the left of odd pages and the right
    of even ones).
    """
    width, height = sheet.page_size
    page = sheet.page
    remove_children(sect_pr, "w:pgSz", "w:pgMar", "w:bidi")
    size = new("w:pgSz", {"w:w": str(twips(width)), "w:h": str(twips(height))})
    insert_ordered(sect_pr, size, SECTPR_ORDER)
    margins = new("w:pgMar", {
        "w:top": str(twips(page.margin_top)),
        "w:right": str(twips(page.margin_outer)),
        "w:bottom": str(twips(page.margin_bottom)),
        "w:left": str(twips(page.margin_inner)),
        "w:header": str(twips(page.margin_top * 0.4)),
        "w:footer": str(twips(page.margin_bottom * 0.4)),
        "w:gutter": str(twips(page.gutter)),
    })  # fmt: skip
    insert_ordered(sect_pr, margins, SECTPR_ORDER)
    if rtl:
        insert_ordered(sect_pr, new("w:bidi"), SECTPR_ORDER)
    for name in list(sect_pr.attrib):
        del sect_pr.attrib[name]  # the template's revision ids mean nothing here


def text_is_rtl(text: str) -> bool | None:
    """The direction of ``text`` by its first strong character (None when it has none)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return None


def _direction(text: str, base_rtl: bool) -> bool | None:
    """Explicit ``w:bidi`` for furniture text when it differs from the styles' direction."""
    rtl = text_is_rtl(text)
    if rtl is None or rtl == base_rtl:
        return None
    return rtl


def footer_content(template: str) -> list[etree._Element]:
    """Runs for the footer template: text, with ``{page}``/``{pages}`` as PAGE/NUMPAGES fields."""
    content: list[etree._Element] = []
    for piece in _TOKEN.split(template):
        if piece == "{page}":
            content.extend(field("PAGE", CACHED_PAGE, None))
        elif piece == "{pages}":
            content.extend(field("NUMPAGES", CACHED_PAGES, None))
        elif piece:
            content.append(text_run(piece, None))
    return content


def furnish(
    document: Any,
    sect_pr: etree._Element,
    *,
    header: str,
    marking: str,
    footer: str,
    base_rtl: bool,
    title_page: bool = False,
) -> None:
    """Give the section its own header (marking, running title) and footer (page line, marking).

    ``footer`` is the frame's footer template (``{page}``/``{pages}`` become
    PAGE/NUMPAGES fields; empty: no page line). With ``title_page`` (the section
    opens with the article's title) the first page's header carries the marking
    only (``w:titlePg``): the title is right below it. Each line takes the
    direction of its own text (an Arabic title in an English pack is
    right-to-left, "Page 3 of 7" never is).
    """
    section = Section(cast("CT_SectPr", sect_pr), document.part)
    marking_bidi = _direction(marking, base_rtl)

    def marking_line(below: bool = False) -> list[etree._Element]:
        if not marking:
            return []
        props = ParaProps(style=MARKING, bidi=marking_bidi, space_before=2.0 if below else None,
                          space_after=0 if below else None)  # fmt: skip
        return [paragraph(props, [text_run(marking, None)])]

    def top(running: str) -> list[etree._Element]:
        lines = marking_line()
        if running:
            bidi = _direction(running, base_rtl)
            lines.append(paragraph(ParaProps(style=HEADER, bidi=bidi), [text_run(running, None)]))
        return lines

    def bottom() -> list[etree._Element]:
        lines: list[etree._Element] = []
        if footer:
            bidi = _direction(_TOKEN.sub("", footer), base_rtl)
            lines.append(paragraph(ParaProps(style=FOOTER, bidi=bidi), footer_content(footer)))
        return lines + marking_line(below=True)

    title_page = title_page and bool(header)
    section.different_first_page_header_footer = title_page
    parts = [(section.header, top(header)), (section.footer, bottom())]
    if title_page:
        parts += [(section.first_page_header, top("")), (section.first_page_footer, bottom())]
    for part_owner, content in parts:
        part_owner.is_linked_to_previous = False
        root: etree._Element = part_owner.part.element
        for child in list(root):
            root.remove(child)
        # A header/footer part must hold at least one paragraph.
        for element in content or [paragraph(ParaProps(style=NORMAL))]:
            root.append(element)


def end_section(sentinel: etree._Element, next_start: str) -> None:
    """Close the current section at the last paragraph; the next one starts per ``next_start``.

    Word stores a section's properties in the ``w:pPr`` of its last paragraph
    (the body's final ``w:sectPr`` describes the last section). Unlike
    python-docx's ``add_section``, no empty paragraph is added unless the
    section ends with a table (which Word requires to be followed by one).
    ``next_start`` is ``nextPage`` or ``oddPage``.
    """
    last = sentinel.getprevious()
    carrier_pr = last.find(qn("w:pPr")) if last is not None and last.tag == qn("w:p") else None
    if (
        last is None
        or last.tag != qn("w:p")
        or (carrier_pr is not None and carrier_pr.find(qn("w:sectPr")) is not None)
    ):
        last = paragraph(ParaProps())
        sentinel.addprevious(last)
        carrier_pr = None
    if carrier_pr is None:
        carrier_pr = new("w:pPr")
        last.insert(0, carrier_pr)
    insert_ordered(carrier_pr, copy.deepcopy(sentinel), PPR_ORDER)
    remove_children(sentinel, "w:headerReference", "w:footerReference")
    ensure_child(sentinel, "w:type", SECTPR_ORDER).set(qn("w:val"), next_start)
