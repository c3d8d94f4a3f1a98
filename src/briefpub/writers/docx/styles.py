"""Word styles and list numbering from the shared style sheet (DOCX writer stage).

Every paragraph the writer emits names a Word style, and every visual decision
lives in that style, so a user can restyle the whole document by editing a few
styles in Word or LibreOffice. Built-in styles keep their built-in names (Word
shows them translated and recognises them as headings, captions, list styles);
only what Word has no built-in for gets a custom style (byline, protective
marking, key-points heading, attribution, table text).

Each configured style's ``w:pPr``/``w:rPr`` is rebuilt from scratch, so the
template's blue Cambria headings cannot leak through. Fonts are pinned in all
four ``w:rFonts`` slots and every theme font and theme colour attribute is
removed from ``styles.xml``: a theme font in any slot would otherwise win over
the named font. Word takes one family per slot, so the style sheet's family
lists are reduced as :func:`fonts_for` documents.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from lxml import etree

from briefpub.fonts import Family, FontSet, coverage
from briefpub.language import primary_subtag
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.writers.docx.oxml import (
    STYLE_ORDER,
    Border,
    Fonts,
    ParaProps,
    RunProps,
    ensure_child,
    font_attrs,
    insert_ordered,
    lang,
    new,
    ppr,
    qn,
    remove_children,
    rpr,
    sub,
    twips,
    val,
)

# Style ids (what paragraphs reference); the display names are Word's built-in ones.
NORMAL = "Normal"
BODY = "BodyText"
TITLE = "Title"
SUBTITLE = "Subtitle"
BYLINE = "Byline"
QUOTE = "Quote"
CAPTION = "Caption"
TOC_HEADING = "TOCHeading"
TOC1 = "TOC1"
TOC2 = "TOC2"
TOC3 = "TOC3"
HEADER = "Header"
FOOTER = "Footer"
MARKING = "ProtectiveMarking"
KEY_POINTS = "KeyPointsHeading"
ATTRIBUTION = "Attribution"
TABLE_TEXT = "TableText"
ARTICLE_LABEL = "ArticleNumber"
KEY_POINT = "KeyPoint"
END_MARK = "EndMark"
BLANK_NOTE = "BlankPageNote"
SUMMARY_ENTRY = "SummaryEntry"
TABLE_GRID = "TableGrid"
HYPERLINK = "Hyperlink"
CODE = "HTMLCode"
STRONG = "Strong"
EMPHASIS = "Emphasis"
MAX_LIST_DEPTH = 3
#: The numbering instance of the key points' bullets (after the bullet and number lists' 1..6).
KEY_POINT_NUM = 2 * MAX_LIST_DEPTH + 1


def toc_id(level: int) -> str:
    """Style id of ``toc N`` (1..3)."""
    return f"TOC{min(max(level, 1), 3)}"


def heading_id(level: int) -> str:
    """Style id of Word's ``Heading N`` for a tree heading level (1..6)."""
    return f"Heading{min(max(level, 1), 6)}"


def bullet_id(depth: int) -> str:
    """``List Bullet``, ``List Bullet 2``, ``List Bullet 3`` by nesting depth (1-based)."""
    depth = min(depth, MAX_LIST_DEPTH)
    return "ListBullet" if depth == 1 else f"ListBullet{depth}"


def number_id(depth: int) -> str:
    """``List Number``, ``List Number 2``, ``List Number 3`` by nesting depth (1-based)."""
    depth = min(depth, MAX_LIST_DEPTH)
    return "ListNumber" if depth == 1 else f"ListNumber{depth}"


def continue_id(depth: int) -> str:
    """``List Continue`` styles: later paragraphs of a list item."""
    depth = min(depth, MAX_LIST_DEPTH)
    return "ListContinue" if depth == 1 else f"ListContinue{depth}"


# --------------------------------------------------------------------------
# Fonts: one family per rFonts slot, chosen from the conversion's FontSet
# --------------------------------------------------------------------------

#: Characters a family must have to serve a slot: CJK ideograph + kana for East Asian text,
#: and the first letter of the script for a complex-script language.
_EAST_ASIAN_PROBE = (0x4E00, 0x3042)
_CS_PROBES: dict[str, tuple[str, tuple[int, ...]]] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "sd", "ug", "ku"), ("arabic", (0x0627,))),
    **dict.fromkeys(("he", "yi"), ("hebrew", (0x05D0,))),
    **dict.fromkeys(("hi", "mr", "ne", "sa"), ("devanagari", (0x0915,))),
    "th": ("thai", (0x0E01,)),
}
#: With no complex-script language: a family covering both Arabic and Hebrew, else Arabic.
_CS_DEFAULT_PROBES = ((0x0627, 0x05D0), (0x0627,))


def _covering(families: tuple[Family, ...], probes: tuple[int, ...], script: str = "") -> str:
    """The first family whose regular face has every character of ``probes``; with ``script``, a family
    made for that script (its name says so, as Noto's do) is preferred to a pan-script one."""
    covering = [f for f in families if all(cp in coverage(f.face(False, False)) for cp in probes)]
    if script:
        for family in covering:
            if script in family.name.casefold():
                return family.name
    return covering[0].name if covering else ""


def fonts_for(fontset: FontSet, sheet: StyleSheet, role: str, language: str) -> Fonts:
    """The three families Word gets for a font role, from the fonts the pipeline resolved.

    Latin (``ascii``/``hAnsi``): the role's first installed family (the style
    sheet's first name when none is installed). East Asian: the first family of
    the role's list (own families, then fallbacks) whose cmap has CJK
    ideographs and kana. Complex script: the first that has the language's
    script (Arabic, Hebrew, Devanagari, Thai; a family made for the script
    first), or, for other languages, one with both Arabic and Hebrew. A slot no family can fill takes the Latin
    family (the reader's own fallback then applies). Coverage is read from the
    font files of the :class:`~briefpub.fonts.FontSet`, never by scanning.
    """
    families = fontset.families(role)
    latin = families[0].name if families else sheet.families(role)[0]
    primary = primary_subtag(language)
    cs = ""
    if primary in _CS_PROBES:
        script, probes = _CS_PROBES[primary]
        cs = _covering(families, probes, script)
    for probes in _CS_DEFAULT_PROBES:
        cs = cs or _covering(families, probes)
    return Fonts(latin=latin, east_asia=_covering(families, _EAST_ASIAN_PROBE) or latin, cs=cs or latin)


def language_attrs(language: str, rtl: bool) -> tuple[str, str, str]:
    """``w:lang`` values (Latin, East Asian, complex script) for a BCP 47 tag."""
    primary = primary_subtag(language)
    east_asia = language if primary in ("zh", "ja", "ko") else ""
    bidi = language if rtl or primary in _CS_PROBES else ""
    return language, east_asia, bidi


# --------------------------------------------------------------------------
# Style elements
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Def:
    """How to create a style the template lacks."""

    name: str
    kind: str = "paragraph"
    based_on: str = NORMAL
    next: str = ""
    custom: bool = True
    ui_priority: int = 99


_NEW_STYLES: dict[str, _Def] = {
    BYLINE: _Def("Byline", next=BODY),
    MARKING: _Def("Protective Marking"),
    KEY_POINTS: _Def("Key Points Heading", next=KEY_POINT),
    KEY_POINT: _Def("Key Point", next=KEY_POINT),
    ARTICLE_LABEL: _Def("Article Number", next="Heading1"),
    END_MARK: _Def("End Mark"),
    SUMMARY_ENTRY: _Def("Summary Entry", next=bullet_id(1)),
    BLANK_NOTE: _Def("Blank Page Note"),
    ATTRIBUTION: _Def("Attribution"),
    TABLE_TEXT: _Def("Table Text"),
    HYPERLINK: _Def("Hyperlink", kind="character", based_on="DefaultParagraphFont", custom=False),
    CODE: _Def("HTML Code", kind="character", based_on="DefaultParagraphFont", custom=False),
    TOC1: _Def("toc 1", next=NORMAL, custom=False, ui_priority=39),
    TOC2: _Def("toc 2", next=NORMAL, custom=False, ui_priority=39),
    TOC3: _Def("toc 3", next=NORMAL, custom=False, ui_priority=39),
    "Heading4": _Def("heading 4", next=BODY, custom=False, ui_priority=9),
    "Heading5": _Def("heading 5", next=BODY, custom=False, ui_priority=9),
    "Heading6": _Def("heading 6", next=BODY, custom=False, ui_priority=9),
}


def _styles_root(document: Any) -> etree._Element:
    root: etree._Element = document.styles.element
    return root


def _find_style(root: etree._Element, style_id: str) -> etree._Element | None:
    for element in root.iterfind(qn("w:style")):
        if element.get(qn("w:styleId")) == style_id:
            return element
    return None


def _get_or_create(root: etree._Element, style_id: str) -> etree._Element:
    existing = _find_style(root, style_id)
    if existing is not None:
        return existing
    spec = _NEW_STYLES[style_id]
    attrs = {"w:type": spec.kind, "w:styleId": style_id}
    if spec.custom:
        attrs["w:customStyle"] = "1"
    element = sub(root, "w:style", attrs)
    val(element, "w:name", spec.name)
    val(element, "w:basedOn", spec.based_on)
    if spec.next:
        val(element, "w:next", spec.next)
    val(element, "w:uiPriority", spec.ui_priority)
    if spec.custom or spec.kind == "character":
        sub(element, "w:unhideWhenUsed")
    sub(element, "w:qFormat")
    return element


def _set_props(root: etree._Element, style_id: str, para: ParaProps | None, run: RunProps | None) -> etree._Element:
    """Replace a style's pPr/rPr (and its linked character style's rPr)."""
    element = _get_or_create(root, style_id)
    remove_children(element, "w:pPr", "w:rPr")
    # A shown style is one people pick from the gallery: unhide what we use.
    remove_children(element, "w:semiHidden")
    if para is not None:
        insert_ordered(element, ppr(para), STYLE_ORDER)
    if run is not None:
        run_element = rpr(run)
        if run_element is not None:
            insert_ordered(element, run_element, STYLE_ORDER)
    link = element.find(qn("w:link"))
    if link is not None and run is not None:
        linked = _find_style(root, link.get(qn("w:val"), ""))
        if linked is not None:
            remove_children(linked, "w:rPr")
            run_element = rpr(run)
            if run_element is not None:
                insert_ordered(linked, run_element, STYLE_ORDER)
    return element


def _set_based_on(element: etree._Element, based_on: str) -> None:
    ensure_child(element, "w:basedOn", STYLE_ORDER).set(qn("w:val"), based_on)


@dataclass(frozen=True, slots=True)
class StyleContext:
    """What the style code needs besides the sheet: the publication's language, direction and fonts."""

    sheet: StyleSheet
    language: str
    rtl: bool
    role_fonts: tuple[tuple[str, Fonts], ...]

    @staticmethod
    def of(sheet: StyleSheet, language: str, rtl: bool, fontset: FontSet) -> StyleContext:
        """The context for a publication: each role's rFonts families from ``fontset``."""
        roles = tuple((role, fonts_for(fontset, sheet, role, language)) for role in ("body", "heading", "mono"))
        return StyleContext(sheet, language, rtl, roles)

    def fonts(self, role: str) -> Fonts:
        """The rFonts families of a role."""
        return dict(self.role_fonts)[role]

    def para(self, text: TextStyle, **extra: Any) -> ParaProps:
        """Paragraph properties of a text style (space, leading, alignment) plus ``extra``."""
        data: dict[str, Any] = {
            "space_before": text.space_before,
            "space_after": text.space_after,
            "leading": text.leading,
            "align": text.align,
            "bidi": True if self.rtl else None,
        }
        data.update(extra)
        return ParaProps(**data)

    def run(self, text: TextStyle, **extra: Any) -> RunProps:
        """Run properties of a text style (font, size, colour, weight, slant)."""
        data: dict[str, Any] = {
            "fonts": self.fonts(text.font),
            "bold": text.bold,
            "italic": text.italic,
            "colour": text.colour,
            "size": text.size,
        }
        data.update(extra)
        return RunProps(**data)


#: Configured styles parts by context: the part depends only on the (immutable) sheet,
#: language and direction, and configuring it is the writer's biggest fixed cost. Kept parsed: a
#: copy of the tree (lxml, in C) costs a fraction of parsing its 55 KB again.
_CONFIGURED: dict[StyleContext, etree._Element] = {}
_CONFIGURED_MAX = 32


def configure_styles(document: Any, ctx: StyleContext) -> None:
    """Configure every style the writer uses from the style sheet (cached per context)."""
    root = _styles_root(document)
    cached = _CONFIGURED.get(ctx)
    if cached is not None:
        root[:] = list(copy.deepcopy(cached))
        return
    _configure_all(root, ctx)
    if len(_CONFIGURED) < _CONFIGURED_MAX:
        from docx.oxml.parser import parse_xml

        _CONFIGURED[ctx] = parse_xml(etree.tostring(root))  # (a tree of its own, as parsing it gave before)


def _configure_all(root: etree._Element, ctx: StyleContext) -> None:
    sheet = ctx.sheet
    _configure_defaults(root, ctx)
    lead = sheet.body

    _set_props(root, NORMAL, ctx.para(lead, align="left", widow_control=True), ctx.run(lead))
    _set_props(
        root, BODY,
        ctx.para(lead, widow_control=True, first_line=sheet.paragraphs.first_line_indent or None),
        ctx.run(lead),
    )  # fmt: skip
    no_hyphens = {"suppress_hyphens": True}
    # Title: a pack's cover only (a third larger than an article title).
    cover = sheet.title
    _set_props(root, TITLE, ctx.para(cover, keep_next=True, **no_hyphens),
               ctx.run(cover, size=round(cover.size * 4 / 3, 1)))  # fmt: skip
    _set_props(root, SUBTITLE, ctx.para(sheet.subtitle, keep_next=True, **no_hyphens), ctx.run(sheet.subtitle))
    _set_props(root, BYLINE, ctx.para(sheet.byline, **no_hyphens), ctx.run(sheet.byline))
    _set_props(root, ARTICLE_LABEL, ctx.para(sheet.byline, keep_next=True, space_after=2.0, **no_hyphens),
               ctx.run(sheet.byline, bold=True))  # fmt: skip
    # Heading 1 is an article's title (outline level 0, Word's navigation pane); the article's
    # own headings are Heading 2 and below.
    for level in range(1, 10):
        text = sheet.title if level == 1 else sheet.heading(level - 1)
        _set_props(
            root,
            f"Heading{level}",
            ctx.para(text, keep_next=True, keep_lines=True, outline_level=level - 1, **no_hyphens),
            ctx.run(text),
        )
    toc = _set_props(
        root, TOC_HEADING,
        ctx.para(sheet.heading1, keep_next=True, keep_lines=True, outline_level=9, **no_hyphens),
        ctx.run(sheet.heading1),
    )  # fmt: skip
    _set_based_on(toc, "Heading1")
    _configure_contents(root, ctx)
    indent = sheet.paragraphs.quote_indent
    _set_props(root, QUOTE, ctx.para(sheet.quote, indent_left=indent, indent_right=indent), ctx.run(sheet.quote))
    _set_props(root, CAPTION, ctx.para(sheet.caption), ctx.run(sheet.caption))
    list_indent = sheet.paragraphs.list_indent
    for depth in range(1, MAX_LIST_DEPTH + 1):
        # Indents come from the numbering definition; the style references it.
        bullet = ctx.para(lead, align="left" if lead.align == "justify" else lead.align, num=(depth, 0))
        number = ctx.para(lead, align=bullet.align, num=(MAX_LIST_DEPTH + depth, 0))
        _set_props(root, bullet_id(depth), bullet, ctx.run(lead))
        _set_props(root, number_id(depth), number, ctx.run(lead))
        _set_props(root, continue_id(depth), ctx.para(lead, indent_left=list_indent * depth), ctx.run(lead))
    _configure_furniture(root, ctx)
    _configure_key_points(root, ctx)
    _set_props(root, SUMMARY_ENTRY, ctx.para(sheet.heading3, align="left", keep_next=True, suppress_hyphens=True),
               ctx.run(sheet.heading3, italic=False, bold=True))  # fmt: skip
    _set_props(root, END_MARK, ctx.para(sheet.byline, align="center", space_before=24.0, keep_lines=True,
                                        **no_hyphens), ctx.run(sheet.byline, bold=True))  # fmt: skip
    _set_props(root, BLANK_NOTE, ctx.para(lead, align="center", space_before=0.0, **no_hyphens),
               ctx.run(lead, italic=True, colour=sheet.furniture.colour))  # fmt: skip
    _set_props(root, ATTRIBUTION, ctx.para(sheet.byline, space_after=2.0), ctx.run(sheet.byline))
    _set_props(root, TABLE_TEXT, ctx.para(sheet.table, widow_control=True), ctx.run(sheet.table))
    # Links are underlined whatever the sheet says: colour alone does not mark a link (WCAG 1.4.1).
    _set_props(root, HYPERLINK, None, RunProps(colour=sheet.links.colour, underline=True))
    code = sheet.code
    _set_props(root, CODE, None, RunProps(fonts=ctx.fonts(code.font), size=code.size, colour=code.colour))
    _configure_table_grid(root, ctx)
    # Enter after a title, heading, caption or quote continues in Body Text, as the writer does.
    for style_id in (TITLE, SUBTITLE, BYLINE, CAPTION, QUOTE, *(f"Heading{n}" for n in range(1, 10))):
        element = _find_style(root, style_id)
        if element is not None:
            ensure_child(element, "w:next", STYLE_ORDER).set(qn("w:val"), BODY)
    remove_theme_references(root, ctx)


def _configure_defaults(root: etree._Element, ctx: StyleContext) -> None:
    defaults = root.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = new("w:docDefaults")
        root.insert(0, defaults)
    remove_children(defaults, "w:rPrDefault", "w:pPrDefault")
    run_default = sub(defaults, "w:rPrDefault")
    body = ctx.sheet.body
    run = rpr(RunProps(fonts=ctx.fonts(body.font), size=body.size))
    assert run is not None
    run.append(lang(*language_attrs(ctx.language, ctx.rtl)))
    run_default.append(run)
    para_default = sub(defaults, "w:pPrDefault")
    para = sub(para_default, "w:pPr")
    sub(para, "w:spacing", {"w:after": "0", "w:line": "240", "w:lineRule": "auto"})


#: Indent of the key points' bullets inside the box; every paragraph of the box has it, so that
#: Word and LibreOffice draw one border around the group (they join paragraphs whose borders
#: and indents are equal).
KEY_POINT_INDENT = 14.0


def key_point_box(ctx: StyleContext) -> tuple[tuple[Border, ...], str]:
    """The box's borders and fill (paragraph borders, not a layout table)."""
    boxes = ctx.sheet.boxes
    sides = tuple(Border(side, boxes.border, 0.75, 6 if side in ("left", "right") else 4)
                  for side in ("top", "left", "bottom", "right"))  # fmt: skip
    return sides, boxes.background


def _configure_key_points(root: etree._Element, ctx: StyleContext) -> None:
    """Key Points Heading and Key Point: one bordered, shaded group of paragraphs, the points a real list."""
    sheet = ctx.sheet
    borders, fill = key_point_box(ctx)
    common = {"borders": borders, "shading": fill, "indent_left": KEY_POINT_INDENT + 6.0,
              "hanging": KEY_POINT_INDENT, "indent_right": 6.0, "align": "left"}
    _set_props(
        root, KEY_POINTS,
        ctx.para(sheet.heading3, keep_next=True, space_before=0.0, space_after=3.0, suppress_hyphens=True,
                 **common),
        ctx.run(sheet.heading3, italic=False, bold=True),
    )  # fmt: skip
    _set_props(
        root, KEY_POINT,
        ctx.para(sheet.body, space_before=0.0, space_after=3.0, num=(KEY_POINT_NUM, 0), widow_control=True,
                 **common),
        ctx.run(sheet.body),
    )  # fmt: skip


def _configure_contents(root: etree._Element, ctx: StyleContext) -> None:
    """``toc 1`` (articles) and ``toc 2`` (their headings): dot leader to a right tab at the text width.

    No right indent: LibreOffice 7.4 drops a page number whose tab stop lies
    past the paragraph's right indent (Word does not), so a long title may run
    under the page-number column before it wraps.
    """
    sheet = ctx.sheet
    width, _ = sheet.page_size
    text_width = width - sheet.page.margin_inner - sheet.page.margin_outer
    lead = sheet.body
    level2 = sheet.paragraphs.list_indent
    levels = ((TOC1, sheet.heading3, 0.0, True), (TOC2, lead, level2, False), (TOC3, lead, 2 * level2, False))
    for style_id, text, indent, bold in levels:
        para = ctx.para(
            lead, align="left", space_before=4.0 if style_id == TOC1 else 0.0, space_after=2.0,
            indent_left=indent,
            tabs=((text_width, "right", "dot"),), suppress_hyphens=True, widow_control=True,
            keep_lines=True,
        )  # fmt: skip
        run = ctx.run(lead if style_id != TOC1 else text, bold=bold, italic=False)
        if style_id == TOC1:
            run = ctx.run(text, bold=bold, italic=False, size=lead.size, colour=text.colour)
        _set_props(root, style_id, para, run)


def _configure_furniture(root: etree._Element, ctx: StyleContext) -> None:
    furniture = ctx.sheet.furniture
    fonts = ctx.fonts("heading")
    run = RunProps(fonts=fonts, size=furniture.size, colour=furniture.colour, bold=False, italic=False)
    rule = furniture.rule
    header = ParaProps(
        align="center",
        space_before=0,
        space_after=0,
        bidi=True if ctx.rtl else None,
        borders=(Border("bottom", furniture.colour, 0.5, 2),) if rule else (),
    )
    footer = ParaProps(
        align="center",
        space_before=0,
        space_after=0,
        bidi=True if ctx.rtl else None,
        borders=(Border("top", furniture.colour, 0.5, 2),) if rule else (),
    )
    _set_props(root, HEADER, header, run)
    _set_props(root, FOOTER, footer, run)
    marking = ctx.sheet.marking
    shading = "" if marking.background.lower() == "#ffffff" else marking.background
    _set_props(
        root,
        MARKING,
        ParaProps(align="center", space_before=0, space_after=2.0, shading=shading,
                  bidi=True if ctx.rtl else None, suppress_hyphens=True),
        RunProps(fonts=fonts, size=marking.size, colour=marking.colour, bold=marking.bold, italic=False),
    )  # fmt: skip


def _configure_table_grid(root: etree._Element, ctx: StyleContext) -> None:
    element = _find_style(root, TABLE_GRID)
    borders = None if element is None else element.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    if borders is None:
        return
    colour = ctx.sheet.boxes.border.lstrip("#").upper()
    for border in borders:
        border.set(qn("w:color"), colour)


_THEME_FONT_ATTRS = tuple(qn(f"w:{name}") for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))
_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_THEMED_FONTS = etree.XPath(
    "//w:rFonts[@w:asciiTheme or @w:hAnsiTheme or @w:eastAsiaTheme or @w:cstheme]", namespaces=_W
)
_THEMED_COLOURS = etree.XPath("//*[@w:themeColor or @w:themeFill or @w:themeShade or @w:themeTint]", namespaces=_W)


def remove_theme_references(root: etree._Element, ctx: StyleContext) -> None:
    """Pin every theme font to a named family and drop every theme colour attribute.

    A ``*Theme`` attribute on ``w:rFonts`` wins over the named font in Word,
    and ``w:themeColor`` wins over ``w:val``: left in place, either makes a
    style's configured font or colour silently not apply.
    """
    major, minor = ctx.fonts("heading"), ctx.fonts("body")
    themed = _THEMED_FONTS(root)
    for element in themed if isinstance(themed, list) else []:
        assert isinstance(element, etree._Element)
        theme_values = [str(element.get(name) or "") for name in _THEME_FONT_ATTRS]
        family = major if any(v.startswith("major") for v in theme_values) else minor
        for name in _THEME_FONT_ATTRS:
            if name in element.attrib:
                del element.attrib[name]
        for key, value in font_attrs(family).items():
            if element.get(qn(key)) is None:
                element.set(qn(key), value)
    colours = _THEMED_COLOURS(root)
    prefix = qn("w:theme")
    for element in colours if isinstance(colours, list) else []:
        assert isinstance(element, etree._Element)
        for name in [str(a) for a in element.attrib if str(a).startswith(prefix)]:
            del element.attrib[name]


def drop_unused_table_styles(document: Any) -> None:
    """Remove the template's 140 coloured table styles (Word lists them as latent styles anyway)."""
    root = _styles_root(document)
    for element in root.findall(qn("w:style")):
        if element.get(qn("w:type")) == "table" and element.get(qn("w:styleId")) not in ("TableNormal", TABLE_GRID):
            root.remove(element)


# --------------------------------------------------------------------------
# Numbering
# --------------------------------------------------------------------------


class Numbering:
    """The numbering part: one bullet and one decimal definition per depth, restartable lists.

    numIds 1..3 are the bullet definitions referenced by ``List Bullet`` 1-3,
    4..6 the decimal ones referenced by ``List Number`` 1-3; every ordered list
    gets its own numId (a ``w:num`` with a ``w:startOverride``) so it restarts
    at its own ``start``.
    """

    def __init__(self, document: Any, ctx: StyleContext) -> None:
        self._root: etree._Element = document.part.numbering_part.element
        for child in list(self._root):
            self._root.remove(child)
        self._next = KEY_POINT_NUM + 1
        sheet = ctx.sheet
        indent = sheet.paragraphs.list_indent
        fonts = ctx.fonts(sheet.body.font)
        for depth in range(1, MAX_LIST_DEPTH + 1):
            self._abstract(depth - 1, bullet_id(depth), "bullet", sheet.paragraphs.bullet, indent * depth,
                           indent, fonts, ctx.rtl)  # fmt: skip
        for depth in range(1, MAX_LIST_DEPTH + 1):
            self._abstract(MAX_LIST_DEPTH + depth - 1, number_id(depth), "decimal", "%1.", indent * depth,
                           indent, fonts, ctx.rtl)  # fmt: skip
        self._abstract(KEY_POINT_NUM - 1, KEY_POINT, "bullet", sheet.paragraphs.bullet,
                       KEY_POINT_INDENT + 6.0, KEY_POINT_INDENT, fonts, ctx.rtl)  # fmt: skip
        for num_id in range(1, KEY_POINT_NUM + 1):
            self._num(num_id, num_id - 1)

    def _abstract(
        self, ident: int, style_id: str, fmt: str, text: str, left: float, hanging: float,
        fonts: Fonts, rtl: bool,
    ) -> None:  # fmt: skip
        abstract = sub(self._root, "w:abstractNum", {"w:abstractNumId": str(ident)})
        val(abstract, "w:nsid", f"{0xB0E0F000 + ident:08X}")
        val(abstract, "w:multiLevelType", "singleLevel")
        level = sub(abstract, "w:lvl", {"w:ilvl": "0"})
        val(level, "w:start", 1)
        val(level, "w:numFmt", fmt)
        val(level, "w:pStyle", style_id)
        val(level, "w:lvlText", text)
        val(level, "w:lvlJc", "left")
        properties = sub(level, "w:pPr")
        tabs = sub(properties, "w:tabs")
        sub(tabs, "w:tab", {"w:val": "num", "w:pos": str(twips(left))})
        if rtl:
            sub(properties, "w:bidi")
        sub(properties, "w:ind", {"w:left": str(twips(left)), "w:hanging": str(twips(hanging))})
        run = rpr(RunProps(fonts=fonts))
        if run is not None:
            level.append(run)

    def _num(self, num_id: int, abstract_id: int, start: int | None = None) -> None:
        num = new("w:num", {"w:numId": str(num_id)})
        val(num, "w:abstractNumId", abstract_id)
        if start is not None:
            override = sub(num, "w:lvlOverride", {"w:ilvl": "0"})
            val(override, "w:startOverride", start)
        self._root.append(num)

    def ordered(self, depth: int, start: int) -> int:
        """A fresh numId for an ordered list at ``depth`` starting at ``start``."""
        num_id = self._next
        self._next += 1
        self._num(num_id, MAX_LIST_DEPTH + min(depth, MAX_LIST_DEPTH) - 1, start)
        return num_id

    def bullets(self, depth: int) -> int:
        """A fresh numId for a bullet list of its own at ``depth``.

        LibreOffice lays out every paragraph of one list in one direction: a
        right-to-left article's bullets sharing a list with left-to-right ones
        get their bullets on the wrong side, so a page mixing directions (the
        pack's summary page) gives each article's list its own instance.
        """
        num_id = self._next
        self._next += 1
        self._num(num_id, min(depth, MAX_LIST_DEPTH) - 1)
        return num_id
