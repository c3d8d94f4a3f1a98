"""WordprocessingML building blocks python-docx has no API for (DOCX writer stage).

python-docx builds paragraphs one object at a time and knows nothing of fields,
hyperlinks, bookmarks, ``w:lang`` or ``w:bidi``. This module builds those
elements directly with lxml, always **in schema order** (Word rejects a file
whose ``w:pPr`` children are out of order; LibreOffice silently ignores them),
and is several times faster than the python-docx object layer for body text.

Everything here is a pure function from values to elements; nothing reads the
style sheet or the tree.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from docx.oxml.parser import oxml_parser
from lxml import etree

from briefpub.writers.common.typography import tie_segments

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
}

#: Children of ``w:pPr`` in the order the schema (CT_PPrBase + CT_PPr) requires.
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip

#: Children of ``w:sectPr`` after the header/footer references, in schema order.
SECTPR_ORDER = (
    "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
    "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
    "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
    "w:printerSettings", "w:sectPrChange",
)  # fmt: skip

#: Children of ``w:style`` in schema order (pPr/rPr are rebuilt by the style code).
STYLE_ORDER = (
    "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
    "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked", "w:personal",
    "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr", "w:tblPr", "w:trPr",
    "w:tcPr", "w:tblStylePr",
)  # fmt: skip

#: Children of ``w:settings`` in schema order (CT_Settings).
SETTINGS_ORDER = (
    "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation", "w:removeDateAndTime",
    "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape", "w:printPostScriptOverText",
    "w:printFractionalCharacterWidth", "w:printFormsData", "w:embedTrueTypeFonts",
    "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData", "w:mirrorMargins",
    "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
    "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
    "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter",
    "w:stylePaneSortMethod", "w:documentType", "w:mailMerge", "w:revisionView", "w:trackRevisions",
    "w:doNotTrackMoves", "w:doNotTrackFormatting", "w:documentProtection", "w:autoFormatOverride",
    "w:styleLockTheme", "w:styleLockQFSet", "w:defaultTabStop", "w:autoHyphenation",
    "w:consecutiveHyphenLimit", "w:hyphenationZone", "w:doNotHyphenateCaps", "w:showEnvelope",
    "w:summaryLength", "w:clickAndTypeStyle", "w:defaultTableStyle", "w:evenAndOddHeaders",
    "w:bookFoldRevPrinting", "w:bookFoldPrinting", "w:bookFoldPrintingSheets",
    "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
    "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
    "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
    "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
    "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
    "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
    "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
    "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
    "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags", "w:alwaysMergeEmptyNamespace",
    "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
    "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
    "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
    "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip

EMU_PER_POINT = 12700


@cache
def qn(tag: str) -> str:
    """Clark name of a prefixed tag or attribute: ``"w:p"`` -> ``"{...main}p"``."""
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def twips(points: float) -> int:
    """Points to twentieths of a point (WordprocessingML's usual length unit)."""
    return round(points * 20)


def hex_colour(colour: str) -> str:
    """``#1a2b3c`` -> ``1A2B3C`` (the form ``w:color/@w:val`` takes)."""
    return colour.lstrip("#").upper()


@cache
def _nsmap(prefix: str) -> dict[str, str]:
    return {prefix: NS[prefix]}


def new(tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """A new element (python-docx's element class when it has one) with prefixed attributes."""
    element: etree._Element = oxml_parser.makeelement(qn(tag), nsmap=_nsmap(tag.split(":", 1)[0]))
    if attrs:
        for key, value in attrs.items():
            element.set(qn(key), value)
    return element


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """Append a child ``tag`` to ``parent`` and return it."""
    child = etree.SubElement(parent, qn(tag))
    if attrs:
        for key, value in attrs.items():
            child.set(qn(key), value)
    return child


def val(parent: etree._Element, tag: str, value: str | int) -> etree._Element:
    """Append ``<tag w:val="value"/>``."""
    return sub(parent, tag, {"w:val": str(value)})


def ensure_child(parent: etree._Element, tag: str, order: Sequence[str]) -> etree._Element:
    """The child ``tag`` of ``parent``, created at its schema position if absent."""
    existing = parent.find(qn(tag))
    if existing is not None:
        return existing
    child = new(tag)
    insert_ordered(parent, child, order)
    return child


def insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> None:
    """Insert ``child`` before the first sibling that the schema puts after it."""
    position = order.index(_prefixed(child.tag))
    later = {qn(t) for t in order[position + 1 :]}
    for index, sibling in enumerate(parent):
        if sibling.tag in later:
            parent.insert(index, child)
            return
    parent.append(child)


def _prefixed(clark: str) -> str:
    uri, local = clark[1:].split("}")
    for prefix, namespace in NS.items():
        if namespace == uri:
            return f"{prefix}:{local}"
    raise ValueError(f"unknown namespace in {clark}")


def remove_children(parent: etree._Element, *tags: str) -> None:
    """Remove every direct child with one of ``tags``."""
    names = {qn(t) for t in tags}
    for child in [c for c in parent if c.tag in names]:
        parent.remove(child)


# --------------------------------------------------------------------------
# Run properties
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fonts:
    """One font family per ``w:rFonts`` slot: Latin (ascii + hAnsi), East Asian, complex script."""

    latin: str
    east_asia: str
    cs: str


@dataclass(frozen=True, slots=True)
class RunProps:
    """Run (character) properties; ``None`` means "inherit from the style"."""

    style: str = ""
    fonts: Fonts | None = None
    bold: bool | None = None
    italic: bool | None = None
    colour: str = ""
    size: float | None = None
    underline: bool | None = None
    shading: str = ""
    lang: str = ""
    lang_east_asia: str = ""
    lang_bidi: str = ""
    cs_font: str = ""  # only the complex-script slot (an article in another script than its pack)


def _toggle(parent: etree._Element, tag: str, on: bool) -> None:
    element = sub(parent, tag)
    if not on:
        element.set(qn("w:val"), "0")


def rpr(props: RunProps) -> etree._Element | None:
    """``w:rPr`` for ``props`` in schema order, or ``None`` when there is nothing to say."""
    if props == _EMPTY_RUN:
        return None
    element = new("w:rPr")
    if props.style:
        val(element, "w:rStyle", props.style)
    if props.fonts is not None:
        sub(element, "w:rFonts", font_attrs(props.fonts))
    elif props.cs_font:
        sub(element, "w:rFonts", {"w:cs": props.cs_font})
    if props.bold is not None:
        _toggle(element, "w:b", props.bold)
        _toggle(element, "w:bCs", props.bold)
    if props.italic is not None:
        _toggle(element, "w:i", props.italic)
        _toggle(element, "w:iCs", props.italic)
    if props.colour:
        val(element, "w:color", hex_colour(props.colour))
    if props.size is not None:
        val(element, "w:sz", round(props.size * 2))
        val(element, "w:szCs", round(props.size * 2))
    if props.underline is not None:
        val(element, "w:u", "single" if props.underline else "none")
    if props.shading:
        sub(element, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": hex_colour(props.shading)})
    if props.lang or props.lang_east_asia or props.lang_bidi:
        element.append(lang(props.lang, props.lang_east_asia, props.lang_bidi))
    return element


_EMPTY_RUN = RunProps()


def font_attrs(fonts: Fonts) -> dict[str, str]:
    """All four ``w:rFonts`` slots, explicitly (no theme font can override them)."""
    return {"w:ascii": fonts.latin, "w:hAnsi": fonts.latin, "w:eastAsia": fonts.east_asia, "w:cs": fonts.cs}


def lang(latin: str, east_asia: str = "", bidi: str = "") -> etree._Element:
    """``w:lang``: the language of Latin, East Asian and complex-script text."""
    attrs: dict[str, str] = {}
    if latin:
        attrs["w:val"] = latin
    if east_asia:
        attrs["w:eastAsia"] = east_asia
    if bidi:
        attrs["w:bidi"] = bidi
    return new("w:lang", attrs)


def text_run(text: str, props: etree._Element | None) -> etree._Element:
    """``<w:r><w:rPr/><w:t xml:space="preserve">text</w:t></w:r>`` (``props`` is copied)."""
    run = new("w:r")
    if props is not None:
        run.append(_copy(props))
    t = sub(run, "w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    return run


def break_run(props: etree._Element | None, kind: str = "") -> etree._Element:
    """A run holding a line break (or a ``page`` break)."""
    run = new("w:r")
    if props is not None:
        run.append(_copy(props))
    sub(run, "w:br", {"w:type": kind} if kind else None)
    return run


def _copy(element: etree._Element) -> etree._Element:
    return copy.deepcopy(element)


# --------------------------------------------------------------------------
# Paragraph properties
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Border:
    """One paragraph border line (``w:pBdr`` child)."""

    side: str
    colour: str
    width_pt: float = 0.5
    space_pt: int = 4


@dataclass(frozen=True, slots=True)
class ParaProps:
    """Paragraph properties; ``None``/empty means "inherit from the style"."""

    style: str = ""
    keep_next: bool = False
    keep_lines: bool = False
    page_break_before: bool = False
    widow_control: bool | None = None
    num: tuple[int, int] | None = None  # (numId, ilvl)
    borders: tuple[Border, ...] = ()
    shading: str = ""
    tabs: tuple[tuple[float, str, str], ...] = ()  # (position in points, alignment, leader)
    suppress_hyphens: bool = False
    bidi: bool | None = None
    space_before: float | None = None
    space_after: float | None = None
    leading: float | None = None
    indent_left: float | None = None
    indent_right: float | None = None
    first_line: float | None = None
    hanging: float | None = None
    align: str = ""
    outline_level: int | None = None
    run: RunProps | None = None


_JC = {"left": "left", "center": "center", "right": "right", "justify": "both"}


def ppr(props: ParaProps) -> etree._Element:
    """``w:pPr`` for ``props``, children in schema order."""
    element = new("w:pPr")
    if props.style:
        val(element, "w:pStyle", props.style)
    if props.keep_next:
        sub(element, "w:keepNext")
    if props.keep_lines:
        sub(element, "w:keepLines")
    if props.page_break_before:
        sub(element, "w:pageBreakBefore")
    if props.widow_control is not None:
        _toggle(element, "w:widowControl", props.widow_control)
    if props.num is not None:
        num_pr = sub(element, "w:numPr")
        val(num_pr, "w:ilvl", props.num[1])
        val(num_pr, "w:numId", props.num[0])
    if props.borders:
        pbdr = sub(element, "w:pBdr")
        for side in ("top", "left", "bottom", "right"):
            for border in props.borders:
                if border.side == side:
                    sub(pbdr, f"w:{side}", {
                        "w:val": "single",
                        "w:sz": str(max(2, round(border.width_pt * 8))),
                        "w:space": str(border.space_pt),
                        "w:color": hex_colour(border.colour),
                    })  # fmt: skip
    if props.shading:
        sub(element, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": hex_colour(props.shading)})
    if props.tabs:
        tabs = sub(element, "w:tabs")
        for position, alignment, leader in props.tabs:
            attrs = {"w:val": alignment, "w:pos": str(twips(position))}
            if leader:
                attrs["w:leader"] = leader
            sub(tabs, "w:tab", attrs)
    if props.suppress_hyphens:
        sub(element, "w:suppressAutoHyphens")
    if props.bidi is not None:
        _toggle(element, "w:bidi", props.bidi)
    spacing: dict[str, str] = {}
    if props.space_before is not None:
        spacing["w:before"] = str(twips(props.space_before))
    if props.space_after is not None:
        spacing["w:after"] = str(twips(props.space_after))
    if props.leading is not None:
        spacing["w:line"] = str(twips(props.leading))
        spacing["w:lineRule"] = "atLeast"
    if spacing:
        sub(element, "w:spacing", spacing)
    ind: dict[str, str] = {}
    if props.indent_left is not None:
        ind["w:left"] = str(twips(props.indent_left))
    if props.indent_right is not None:
        ind["w:right"] = str(twips(props.indent_right))
    if props.first_line is not None:
        ind["w:firstLine"] = str(twips(props.first_line))
    if props.hanging is not None:
        ind["w:hanging"] = str(twips(props.hanging))
    if ind:
        sub(element, "w:ind", ind)
    if props.align:
        val(element, "w:jc", _JC[props.align])
    if props.outline_level is not None:
        val(element, "w:outlineLvl", props.outline_level)
    if props.run is not None:
        run = rpr(props.run)
        if run is not None:
            element.append(run)
    return element


def paragraph(props: ParaProps, content: Iterable[etree._Element] = ()) -> etree._Element:
    """A ``w:p`` with properties and content (runs, hyperlinks, bookmarks)."""
    p = new("w:p")
    properties = ppr(props)
    if len(properties):
        p.append(properties)
    for item in content:
        p.append(item)
    return p


def tie_last_words(p: etree._Element) -> etree._Element:
    """Tie paragraph ``p``'s last two words with a no-break space (a heading never ends on one word)."""
    nodes = list(p.iter(qn("w:t")))
    for node, text in zip(nodes, tie_segments([t.text or "" for t in nodes]), strict=True):
        if text != (node.text or ""):
            node.text = text
    return p


def set_paragraph_flag(p: etree._Element, tag: str) -> None:
    """Switch on an empty-element paragraph property (``w:keepNext``, ``w:pageBreakBefore``...)."""
    properties = p.find(qn("w:pPr"))
    if properties is None:
        properties = new("w:pPr")
        p.insert(0, properties)
    ensure_child(properties, tag, PPR_ORDER)



# --------------------------------------------------------------------------
# Fields, hyperlinks, bookmarks
# --------------------------------------------------------------------------


def field_char(kind: str, props: etree._Element | None = None) -> etree._Element:
    """A run holding a complex field's ``begin``, ``separate`` or ``end`` character."""
    run = new("w:r")
    if props is not None:
        run.append(_copy(props))
    sub(run, "w:fldChar", {"w:fldCharType": kind})
    return run


def field_code(instruction: str, props: etree._Element | None = None) -> list[etree._Element]:
    """A complex field's opening: begin, instruction and separate runs (the result and end follow).

    A field may span paragraphs (a ``TOC`` field's result is many entries): the
    caller places the ``end`` character (:func:`field_char`) where the result stops.
    """
    instr = new("w:r")
    if props is not None:
        instr.append(_copy(props))
    text = sub(instr, "w:instrText")
    text.text = f" {instruction} "
    text.set(qn("xml:space"), "preserve")
    return [field_char("begin", props), instr, field_char("separate", props)]


def field(instruction: str, cached: str, props: etree._Element | None) -> list[etree._Element]:
    """A complex field as five runs: begin, instruction, separate, cached result, end.

    Word and LibreOffice recompute PAGE and NUMPAGES when they lay out the page;
    ``cached`` is what a reader that does not evaluate fields shows.
    """
    return [*field_code(instruction, props), text_run(cached, props), field_char("end", props)]


def tab_run(props: etree._Element | None = None) -> etree._Element:
    """A run holding a tab character (to the paragraph's next tab stop)."""
    run = new("w:r")
    if props is not None:
        run.append(_copy(props))
    sub(run, "w:tab")
    return run


def hyperlink(runs: Iterable[etree._Element], *, rid: str = "", anchor: str = "", tooltip: str = "") -> etree._Element:
    """``w:hyperlink`` to an external relationship ``rid`` or an internal bookmark ``anchor``."""
    attrs: dict[str, str] = {}
    if rid:
        attrs["r:id"] = rid
    if anchor:
        attrs["w:anchor"] = anchor
    if tooltip:
        attrs["w:tooltip"] = tooltip[:255]
    attrs["w:history"] = "1"
    link = new("w:hyperlink", attrs)
    for run in runs:
        link.append(run)
    return link


def bookmark(identifier: int, name: str) -> tuple[etree._Element, etree._Element]:
    """A ``w:bookmarkStart``/``w:bookmarkEnd`` pair to wrap around a paragraph's runs."""
    start = new("w:bookmarkStart", {"w:id": str(identifier), "w:name": name})
    end = new("w:bookmarkEnd", {"w:id": str(identifier)})
    return start, end
