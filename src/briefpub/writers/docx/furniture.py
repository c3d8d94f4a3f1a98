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
import functools
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from docx.enum.section import WD_HEADER_FOOTER
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.parser import parse_xml
from docx.parts.hdrftr import FooterPart, HeaderPart
from docx.section import Section
from lxml import etree

from briefpub._lazyre import lazy_re
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

_TOKEN = lazy_re(r"(\{page\}|\{pages\})")
_PART_NAME = lazy_re(r"/word/(header|footer)(\d+)\.xml")
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


@functools.cache
def _empty_root(kind: str) -> etree._Element:
    """python-docx's default header or footer element without its empty paragraph (parsed once)."""
    cls: Any = HeaderPart if kind == "header" else FooterPart
    root: etree._Element = parse_xml(cls._default_header_xml() if kind == "header" else cls._default_footer_xml())
    for child in list(root):
        root.remove(child)
    return root


class HeaderFooterParts:
    """Makes the header and footer parts of a document's sections, in constant time each.

    python-docx names each new part by walking every part of the package
    (``next_partname``) and relates it after comparing it with every
    relationship of the document (``relate_to``): a pack of 800 articles spent
    most of its time there (quadratic). Parts made here get the same names
    (``/word/header<n>.xml``, ``/word/footer<n>.xml``: the lowest numbers not
    taken) and relationship ids (the lowest free ``rId<n>``) from counters that
    only move forward, so the package is the one python-docx would write.
    """

    def __init__(self, document: Any) -> None:
        self.part = document.part
        taken: dict[str, set[int]] = {"header": set(), "footer": set()}
        for part in self.part.package.iter_parts():  # once per document
            match = _PART_NAME.fullmatch(str(part.partname))
            if match is not None:
                taken[match.group(1)].add(int(match.group(2)))
        self._taken = taken
        self._next = {"header": 1, "footer": 1}
        self._next_rid = 1
        #: The root element of every part made, in order.
        self.roots: list[etree._Element] = []

    def _name(self, kind: str) -> PackURI:
        number = self._next[kind]
        while number in self._taken[kind]:
            number += 1
        self._taken[kind].add(number)
        self._next[kind] = number + 1
        return PackURI(f"/word/{kind}{number}.xml")

    def _rid(self) -> str:
        rels = self.part.rels
        while f"rId{self._next_rid}" in rels:
            self._next_rid += 1
        return f"rId{self._next_rid}"

    def _root(self, kind: str) -> etree._Element:
        """An empty ``w:hdr``/``w:ftr`` with python-docx's namespace declarations."""
        return copy.deepcopy(_empty_root(kind))

    def add(self, sect_pr: Any, kind: str, index: WD_HEADER_FOOTER) -> etree._Element:
        """A new, empty header or footer part referenced from ``sect_pr`` as ``index``; its root element."""
        element = self._root(kind)
        cls, content_type, reltype = ((HeaderPart, CT.WML_HEADER, RT.HEADER) if kind == "header"
                                      else (FooterPart, CT.WML_FOOTER, RT.FOOTER))  # fmt: skip
        part = cls(self._name(kind), content_type, cast(Any, element), self.part.package)
        rid = self._rid()
        self.part.rels.add_relationship(reltype, part, rid)
        if kind == "header":
            sect_pr.add_headerReference(index, rid)
        else:
            sect_pr.add_footerReference(index, rid)
        self.roots.append(element)
        return element


def furnish(
    parts: HeaderFooterParts,
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
    right-to-left, "Page 3 of 7" never is). The section must have no header or
    footer references yet (a new section's ``w:sectPr``).
    """
    section = Section(cast("CT_SectPr", sect_pr), parts.part)
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
    primary, first = WD_HEADER_FOOTER.PRIMARY, WD_HEADER_FOOTER.FIRST_PAGE
    specs = [("header", primary, top(header)), ("footer", primary, bottom())]
    if title_page:
        specs += [("header", first, top("")), ("footer", first, bottom())]
    for kind, index, content in specs:
        root = parts.add(sect_pr, kind, index)
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
