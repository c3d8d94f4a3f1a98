"""Structure checks for tagged PDFs (PDF/UA-1), usable by every PDF test.

``inspect_pdf(data)`` reads a PDF with pikepdf and returns a
:class:`StructureReport`: every page's content stream walked (form XObjects
included, with the marked content they are drawn in), every text operator's
text decoded through its font's ``ToUnicode`` map, the structure tree walked
depth first with each element's own text, the ``ParentTree`` read back, and a
list of :class:`Problem` objects. ``assert_tagged(data)`` fails with every
problem; ``report.outline()`` gives ``(role, text)`` pairs for reading-order
assertions.

What is checked (ISO 14289-1 clause / veraPDF rule id, Matterhorn Protocol 1.02
failure condition), by problem code:

===========================  ==================================================  ===============
code                         what                                                clause / MH
===========================  ==================================================  ===============
untagged-content             a text operator (Tj TJ ' "), path painting, image   7.1-3 / 01-005
                             or shading outside any MCID sequence or Artifact
artifact-in-content          an Artifact inside an MCID sequence                 7.1-1 / 01-003
content-in-artifact          an MCID sequence inside an Artifact                 7.1-2 / 01-004
nested-mcid                  an MCID sequence inside another one                 14.7.4.4
unbalanced                   BDC/BMC without EMC or the reverse                  ISO 32000 8.2
mcid-unreferenced            an MCID in the content that no element owns         7.1-3 / 01-005
mcid-twice                   an MCID owned by two elements (or twice by one)     14.7.4.4
mcid-missing                 an element owns an MCID the page does not have      14.7.4.4
parent-tree                  the ParentTree does not map an MCID (or an          14.7.4.4
                             annotation's StructParent) back to its element
struct-parent-entry          an element whose /P is not its parent               7.1-12
no-structure                 no StructTreeRoot, or it has no elements            7.1-11 / 01-005
role-map                     a role not standard and not mapped to one, a        7.1-5/6/7 /
                             circular mapping, a remapped standard type          02-001..003
figure-alt                   a Figure (or Formula) without /Alt or ActualText    7.3-1, 7.7-1 /
                                                                                 13-004, 17-002
heading-order                first numbered heading not H1, or a level skipped   7.4.2-1 /
                                                                                 14-002, 14-003
heading-kind                 H and H1-H6 both used, or two H in one node         7.4.4 /
                                                                                 14-006, 14-007
heading-empty                a heading element with no content                   pdfua UA-14-001
nesting                      L/LI/Lbl/LBody, Table/TR/TH/TD/THead/TBody/TFoot,   7.2-3..20, 26,
                             TOC/TOCI and Caption placement                      27, 36-40 /
                                                                                 09-004..006
table-irregular              rows spanning different numbers of columns          7.2-15, 41, 43
th-scope                     a TH without Scope in a table without Headers       7.5-1 / 15-003
note-id                      a Note without an ID, or a duplicate ID             7.9 / 19-003/4
lang                         catalog /Lang missing or not a language tag, or a   7.2-29, 7.2-34
                             /Lang value (element or marked content) invalid     / 11-001..006
link-annotation              a Link annotation without /StructParent or not in   7.18.5-1 /
                             a Link element (OBJR), or another annotation not    28-011, 28-002
                             in an Annot element
link-contents                a Link annotation without /Contents                 7.18.5-2 / 28-012
tabs                         a page without /Tabs /S                             7.18.3-1 /
                                                                                 28-008/009
mark-info                    /MarkInfo /Marked not true, or /Suspects true       6.2-1, 7.1-4 /
                                                                                 01-007
display-doc-title            /ViewerPreferences /DisplayDocTitle not true        7.1-10 / 07-00x
xmp                          no XMP, no pdfuaid:part 1, no dc:title, or XMP      5-1/2, 7.1-8/9
                             disagreeing with the Info dictionary (title,        / 06-001..003
                             author, producer, creator tool, dates)
fonts                        a font not embedded, without ToUnicode, or mapping  7.21.4.1-1,
                             a code to U+0000, U+FEFF or U+FFFE                  7.21.7 / 31-009,
                                                                                 10-001
form-xobject                 a form XObject with MCIDs drawn more than once      7.20-2 / 30-002
word-break                   (``word_breaks=True``) two words on two lines of    ISO 32000-1
                             one element with no space between them              14.8.2.5
===========================  ==================================================  ===============

Not checked here (see docs/accessibility-pdf.md): glyph widths and cmap tables
of embedded fonts (7.21.5/6), ``.notdef`` (7.21.8), and everything that needs
a person: reading order making sense, alternative text quality, headings that
match the text, colour and contrast.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pikepdf

__all__ = ["Node", "Problem", "StructureReport", "assert_tagged", "inspect_pdf"]

TEXT_OPERATORS = frozenset({"Tj", "TJ", "'", '"'})
PAINT_OPERATORS = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh"})
STANDARD_ROLES = frozenset({
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
    "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby",
    "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form",
})
LANG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*\Z")  # veraPDF's 7.2-29 test
#: Inline-level structure types (ISO 32000-1, 14.8.4.4): their text runs on with their parent's.
INLINE_ROLES = frozenset({"Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB",
                          "RT", "RP", "Warichu", "WT", "WP"})
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}


@dataclass(frozen=True)
class Problem:
    """One failed check: a code from the module's table and what was found."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass
class Node:
    """A structure element as read back: role, standard role, depth, own text, attributes."""

    role: str
    standard: str
    depth: int
    obj: Any
    #: The element's own content's text (its MCIDs', in order; not its child elements').
    text: str = ""
    #: Its text in reading order: own content and child elements interleaved as the /K array orders them,
    #: an element's /ActualText standing for its content (a hyphen's soft hyphen, right-to-left glyphs drawn
    #: in visual order...), block-level children between blank lines. A line of text starts with "\n": one
    #: that follows a word break has a space before it (the text engine writes one), so a "\n" between two
    #: non-spaces joins the pieces of one word (an overlong word broken anywhere).
    reading: str = ""
    alt: str | None = None
    actual_text: str | None = None
    lang: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    mcids: list[tuple[int, int]] = field(default_factory=list)
    annotations: list[Any] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


@dataclass
class _Mark:
    tag: str
    mcid: int | None
    artifact: bool
    actual_text: str | None
    lang: str | None


@dataclass
class StructureReport:
    """What :func:`inspect_pdf` found."""

    problems: list[Problem] = field(default_factory=list)
    #: Elements depth first (the Document element first).
    nodes: list[Node] = field(default_factory=list)
    #: (page index, MCID) -> text drawn in that sequence.
    content_text: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (page index, MCID) -> the tag name on BDC.
    content_tags: dict[tuple[int, int], str] = field(default_factory=dict)
    text_operators: int = 0
    artifact_text_operators: int = 0
    #: Marked-content /Lang values (inside MCID sequences).
    span_langs: list[str] = field(default_factory=list)
    catalog_lang: str | None = None
    info: dict[str, str] = field(default_factory=dict)
    xmp: dict[str, Any] = field(default_factory=dict)
    #: Annotation (object id) -> the element whose OBJR names it.
    annotation_owner: dict[tuple[int, int], Node] = field(default_factory=dict, repr=False)
    #: The ParentTree, key -> value.
    parent_tree: dict[int, Any] = field(default_factory=dict, repr=False)

    def codes(self) -> set[str]:
        """The problem codes found."""
        return {p.code for p in self.problems}

    def reading(self, roles: Iterable[str]) -> list[str]:
        """The reading text (:attr:`Node.reading`) of every element with one of ``roles``, in reading order."""
        wanted = set(roles)
        return [n.reading for n in self.nodes if n.role in wanted or n.standard in wanted]

    def text(self) -> str:
        """The whole document as a screen reader gets it: the root elements' reading text, the pieces of a
        word broken across lines without a hyphen joined, blocks on lines of their own."""
        text = "\n\n".join(n.reading for n in self.nodes if n.depth == 0)
        return re.sub(r"(?<=\S)\n(?=\S)", "", text)

    def outline(self, roles: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """``(role, own text)`` of every element in reading order (only ``roles`` if given), spaces collapsed."""
        wanted = set(roles) if roles is not None else None
        return [(n.role, " ".join(n.text.split())) for n in self.nodes if wanted is None or n.role in wanted]

    def find(self, role: str) -> list[Node]:
        """The elements with ``role`` (as written, or as standard role)."""
        return [n for n in self.nodes if role in (n.role, n.standard)]

    def add(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, message))


def assert_tagged(data: bytes, *, ignore: Iterable[str] = (), word_breaks: bool = False,
                  expected_text: str | None = None) -> StructureReport:
    """The report of ``data``; fails listing every problem (codes in ``ignore`` excepted)."""
    report = inspect_pdf(data, word_breaks=word_breaks, expected_text=expected_text)
    skip = set(ignore)
    problems = [p for p in report.problems if p.code not in skip]
    assert not problems, "tagged-PDF problems:\n" + "\n".join(map(str, problems[:60]))
    return report


def inspect_pdf(data: bytes, *, word_breaks: bool = False, expected_text: str | None = None) -> StructureReport:
    """Every check of the module's table, on ``data`` (``word-break`` only when ``word_breaks``).

    ``expected_text`` (the text the PDF sets, say the document's words) lets the word-break check tell a
    word broken without a hyphen (an overlong word or URL broken anywhere: no space belongs there) from
    two words: a break is reported unless the two pieces joined are part of one word of that text.
    """
    report = StructureReport()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = list(pdf.pages)
        page_index = {page.obj.objgen: i for i, page in enumerate(pages)}
        content_mcids: dict[tuple[int, int], int] = {}
        fonts = _FontCache(report)
        form_uses: dict[tuple[int, int], int] = {}
        form_mcids: set[tuple[int, int]] = set()
        for i, page in enumerate(pages):
            walker = _Walker(report, i, fonts, form_uses, form_mcids)
            walker.walk(page.obj, _resources(page.obj), [])
            for key in walker.mcids:
                content_mcids[key] = content_mcids.get(key, 0) + 1
        for key, count in sorted(content_mcids.items()):
            if count > 1:
                report.add("mcid-twice", f"page {key[0] + 1}: MCID {key[1]} is used by {count} sequences")
        for form in sorted(form_mcids):
            if form_uses.get(form, 0) > 1:
                report.add("form-xobject", f"form XObject {form} has MCIDs and is drawn {form_uses[form]} times")
        _check_catalog(pdf, report)
        _check_structure(pdf, pages, page_index, content_mcids, report)
        _check_annotations(pdf, pages, report)
        _check_metadata(pdf, report)
        if word_breaks:
            _check_word_breaks(report, expected_text)
        fonts.check()
    return report


# -- content streams -----------------------------------------------------------------------------


def _resources(obj: Any, inherited: Any = None) -> Any:
    node = obj
    while node is not None:
        found = node.get("/Resources")
        if found is not None:
            return found
        node = node.get("/Parent") if "/Type" in node and str(node.Type) in ("/Page", "/Pages") else None
    return inherited if inherited is not None else pikepdf.Dictionary()


def _text(value: Any) -> str:
    return str(value) if value is not None else ""


class _Font:
    """A font's code width and ToUnicode map."""

    def __init__(self, font: Any, report: StructureReport) -> None:
        self.font = font
        subtype = str(font.get("/Subtype", ""))
        self.width = 2 if subtype == "/Type0" else 1
        self.map: dict[bytes, str] = {}
        self.used: set[bytes] = set()
        self.name = str(font.get("/BaseFont", "?"))
        self.has_unicode = "/ToUnicode" in font
        if self.has_unicode:
            self._parse(bytes(font.ToUnicode.read_bytes()).decode("latin-1"))
        self.embedded = self._embedded(font, subtype)
        self.subtype = subtype

    @staticmethod
    def _embedded(font: Any, subtype: str) -> bool:
        if subtype == "/Type3":
            return True
        descriptor_owner = font.DescendantFonts[0] if subtype == "/Type0" else font
        descriptor = descriptor_owner.get("/FontDescriptor")
        return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def _parse(self, cmap: str) -> None:
        widths = [len(lo) // 2 for lo, _hi in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", _section(cmap, "codespacerange"))]
        if widths:
            self.width = widths[0]
        for block in _sections(cmap, "bfchar"):
            for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                self.map[bytes.fromhex(src)] = _utf16(dst)
        for block in _sections(cmap, "bfrange"):
            for lo, hi, rest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)",
                                           block):
                start, stop, size = int(lo, 16), int(hi, 16), len(lo) // 2
                if rest.startswith("["):
                    targets = re.findall(r"<([0-9A-Fa-f]*)>", rest)
                    for offset, dst in enumerate(targets):
                        self.map[(start + offset).to_bytes(size, "big")] = _utf16(dst)
                else:
                    base = rest.strip("<>")
                    first = int(base, 16) if base else 0
                    for offset in range(stop - start + 1):
                        value = (first + offset).to_bytes(len(base) // 2, "big").hex() if base else ""
                        self.map[(start + offset).to_bytes(size, "big")] = _utf16(value)

    def decode(self, data: bytes) -> str:
        """The text of ``data`` (codes without a mapping as U+FFFD); the codes count as used."""
        out = []
        for i in range(0, len(data), self.width):
            code = data[i : i + self.width]
            self.used.add(code)
            out.append(self.map.get(code, "\ufffd"))
        return "".join(out)


def _section(cmap: str, name: str) -> str:
    found = re.search(rf"begin{name}(.*?)end{name}", cmap, re.S)
    return found.group(1) if found else ""


def _sections(cmap: str, name: str) -> list[str]:
    return re.findall(rf"begin{name}(.*?)end{name}", cmap, re.S)


def _utf16(hexdigits: str) -> str:
    return bytes.fromhex(hexdigits).decode("utf-16-be", errors="replace") if hexdigits else ""


class _FontCache:
    def __init__(self, report: StructureReport) -> None:
        self.report = report
        self.fonts: dict[tuple[int, int], _Font] = {}

    def get(self, font: Any) -> _Font:
        key = font.objgen
        found = self.fonts.get(key)
        if found is None:
            found = self.fonts[key] = _Font(font, self.report)
        return found

    def check(self) -> None:
        """Fonts that showed text: embedded, with ToUnicode, no used code mapped to U+0000/FEFF/FFFE."""
        for key in sorted(self.fonts):
            font = self.fonts[key]
            if not font.used:
                continue
            if not font.embedded:
                self.report.add("fonts", f"font {font.name} is not embedded")
            if not font.has_unicode:
                self.report.add("fonts", f"font {font.name} has no ToUnicode map")
            values = "".join(font.map.get(code, "") for code in font.used)
            bad = sorted({c for c in values if c in "\x00\ufeff\ufffe"})
            if bad:
                self.report.add("fonts", f"font {font.name} maps codes to {[hex(ord(c)) for c in bad]}")


class _Walker:
    """Walks one page's content (and the form XObjects it draws)."""

    def __init__(self, report: StructureReport, page: int, fonts: _FontCache,
                 form_uses: dict[tuple[int, int], int], form_mcids: set[tuple[int, int]]) -> None:
        self.report = report
        self.page = page
        self.fonts = fonts
        self.form_uses = form_uses
        self.form_mcids = form_mcids
        self.mcids: list[tuple[int, int]] = []
        self.font: _Font | None = None
        self.untagged = 0
        self.line_y: float | None = None
        self.new_line = False

    def walk(self, owner: Any, resources: Any, stack: list[_Mark], form: tuple[int, int] | None = None) -> None:
        depth = len(stack)
        try:
            instructions = pikepdf.parse_content_stream(owner)
        except pikepdf.PdfError as exc:
            self.report.add("unbalanced", f"page {self.page + 1}: content stream cannot be parsed: {exc}")
            return
        for instruction in instructions:
            op = str(instruction.operator)
            operands = instruction.operands
            if op in ("BDC", "BMC"):
                self._begin(op, operands, resources, stack, form)
            elif op == "EMC":
                if len(stack) <= depth:
                    self.report.add("unbalanced", f"page {self.page + 1}: EMC without BDC/BMC")
                else:
                    stack.pop()
            elif op == "Tm":
                y = float(operands[5])
                if self.line_y is not None and abs(y - self.line_y) > 0.01:
                    self.new_line = True
                self.line_y = y
            elif op in ("Td", "TD") and abs(float(operands[1])) > 0.01:
                self.new_line = True
                self.line_y = (self.line_y or 0.0) + float(operands[1])
            elif op == "T*":
                self.new_line = True
            elif op == "Tf":
                fonts = resources.get("/Font", pikepdf.Dictionary())
                font = fonts.get(str(operands[0]))
                self.font = self.fonts.get(font) if font is not None else None
            elif op in TEXT_OPERATORS:
                self._text(op, operands, stack)
            elif op in PAINT_OPERATORS or op == "INLINE IMAGE":
                self._paint(op, stack)
            elif op == "Do":
                self._do(operands, resources, stack)
        if len(stack) != depth:
            self.report.add("unbalanced", f"page {self.page + 1}: {len(stack) - depth} marked-content "
                            "sequence(s) not closed")
            del stack[depth:]

    def _begin(self, op: str, operands: Any, resources: Any, stack: list[_Mark],
               form: tuple[int, int] | None) -> None:
        tag = str(operands[0])
        props: Any = None
        if op == "BDC":
            props = operands[1]
            if isinstance(props, pikepdf.Name):
                props = resources.get("/Properties", pikepdf.Dictionary()).get(str(props))
        mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
        artifact = tag == "/Artifact"
        actual = _text(props.get("/ActualText")) if isinstance(props, pikepdf.Dictionary) and \
            "/ActualText" in props else None
        lang = _text(props.get("/Lang")) if isinstance(props, pikepdf.Dictionary) and "/Lang" in props else None
        in_mcid = any(m.mcid is not None for m in stack)
        in_artifact = any(m.artifact for m in stack)
        where = f"page {self.page + 1}"
        if artifact and in_mcid:
            self.report.add("artifact-in-content", f"{where}: an Artifact inside MCID sequence")
        if mcid is not None:
            if in_artifact:
                self.report.add("content-in-artifact", f"{where}: MCID {mcid} inside an Artifact")
            if in_mcid:
                self.report.add("nested-mcid", f"{where}: MCID {mcid} inside another MCID sequence")
            self.mcids.append((self.page, mcid))
            if form is not None:
                self.form_mcids.add(form)
            self.report.content_text.setdefault((self.page, mcid), "")
            self.report.content_tags[(self.page, mcid)] = tag
        if lang is not None:
            if not LANG.match(lang):
                self.report.add("lang", f"{where}: marked-content /Lang {lang!r} is not a language tag")
            if in_mcid:
                self.report.span_langs.append(lang)
        if actual is not None and in_mcid and not any(m.actual_text is not None for m in stack):
            self._append(stack, actual)
        stack.append(_Mark(tag, mcid, artifact, actual, lang))

    def _owner(self, stack: list[_Mark]) -> int | None:
        for mark in reversed(stack):
            if mark.mcid is not None:
                return mark.mcid
        return None

    def _append(self, stack: list[_Mark], text: str) -> None:
        owner = self._owner(stack)
        if owner is not None:
            key = (self.page, owner)
            self.report.content_text[key] = self.report.content_text.get(key, "") + text

    def _text(self, op: str, operands: Any, stack: list[_Mark]) -> None:
        self.report.text_operators += 1
        decoded = self._decode(op, operands)
        if self.new_line or op in ("'", '"'):  # a new line of text: marked "\n" for the word-break check
            decoded = "\n" + decoded
            self.new_line = False
        marked = any(m.mcid is not None for m in stack)
        artifact = any(m.artifact for m in stack)
        if artifact:
            self.report.artifact_text_operators += 1
        if not marked and not artifact:
            self.untagged += 1
            self.report.add("untagged-content", f"page {self.page + 1}: text operator {op} outside marked content "
                            f"({decoded[:40]!r})")
            return
        if marked and not any(m.actual_text is not None for m in stack):
            self._append(stack, decoded)

    def _decode(self, op: str, operands: Any) -> str:
        font = self.font
        if font is None:
            return ""
        if op == "TJ":
            parts = []
            for item in operands[0]:
                if isinstance(item, pikepdf.String):
                    parts.append(font.decode(bytes(item)))
                elif float(item) <= -250:
                    parts.append(" ")
            return "".join(parts)
        value = operands[-1]
        return font.decode(bytes(value))

    def _paint(self, op: str, stack: list[_Mark]) -> None:
        if not any(m.mcid is not None or m.artifact for m in stack):
            self.report.add("untagged-content", f"page {self.page + 1}: {op} (painting) outside marked content")

    def _do(self, operands: Any, resources: Any, stack: list[_Mark]) -> None:
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        xobject = xobjects.get(str(operands[0]))
        if xobject is None:
            return
        if str(xobject.get("/Subtype", "")) == "/Form":
            key = xobject.objgen
            self.form_uses[key] = self.form_uses.get(key, 0) + 1
            self.walk(xobject, _resources(xobject, resources), stack, form=key)
        else:
            self._paint("Do (image)", stack)


# -- structure tree -------------------------------------------------------------------------------


def _number_tree(node: Any) -> dict[int, Any]:
    out: dict[int, Any] = {}
    if node is None:
        return out
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        out.update(_number_tree(kid))
    return out


def _standard(role: str, role_map: Any, report: StructureReport) -> str:
    if role in STANDARD_ROLES:
        return role
    seen = [role]
    current = role
    while current not in STANDARD_ROLES:
        target = role_map.get("/" + current) if role_map is not None else None
        if target is None:
            report.add("role-map", f"role {role} is neither standard nor mapped to a standard type")
            return role
        current = str(target)[1:]
        if current in seen:
            report.add("role-map", f"circular role mapping from {role}")
            return role
        seen.append(current)
    return current


def _check_structure(pdf: Any, pages: list[Any], page_index: dict[tuple[int, int], int],
                     content_mcids: dict[tuple[int, int], int], report: StructureReport) -> None:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        report.add("no-structure", "the catalog has no /StructTreeRoot")
        return
    role_map = root.get("/RoleMap")
    if role_map is not None:
        for key in role_map:
            if key[1:] in STANDARD_ROLES:
                report.add("role-map", f"standard type {key} is remapped")
    owners: dict[tuple[int, int], list[Node]] = {}
    annotation_owner: dict[tuple[int, int], Node] = {}
    ids: dict[str, int] = {}

    def visit(obj: Any, parent: Any, depth: int, page: int | None) -> Node | None:
        if not isinstance(obj, pikepdf.Dictionary) or "/S" not in obj:
            return None
        role = str(obj.S)[1:]
        node = Node(role, _standard(role, role_map, report), depth, obj,
                    alt=_text(obj.get("/Alt")) if "/Alt" in obj else None,
                    actual_text=_text(obj.get("/ActualText")) if "/ActualText" in obj else None,
                    lang=_text(obj.get("/Lang")) if "/Lang" in obj else None)
        report.nodes.append(node)
        if obj.get("/P") is None or obj.P.objgen != parent.objgen:
            report.add("struct-parent-entry", f"{role} element: /P is not its parent")
        if node.lang is not None and not LANG.match(node.lang):
            report.add("lang", f"{role} element: /Lang {node.lang!r} is not a language tag")
        if "/ID" in obj:
            ident = _text(obj.ID)
            ids[ident] = ids.get(ident, 0) + 1
        attributes = obj.get("/A")
        for attribute in ([attributes] if isinstance(attributes, pikepdf.Dictionary) else list(attributes or [])):
            if isinstance(attribute, pikepdf.Dictionary):
                for key, value in attribute.items():
                    node.attributes[key] = value
        if "/Pg" in obj:
            page = page_index.get(obj.Pg.objgen)
        kids = obj.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        texts: list[str] = []
        reading: list[str] = []
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool):
                mcid = int(item)
                if page is None:
                    report.add("mcid-missing", f"{role} element owns MCID {mcid} but has no /Pg")
                    continue
                owners.setdefault((page, mcid), []).append(node)
                node.mcids.append((page, mcid))
                texts.append(report.content_text.get((page, mcid), ""))
                reading.append(texts[-1])
            elif isinstance(item, pikepdf.Dictionary) and str(item.get("/Type", "")) == "/MCR":
                mcr_page = page_index.get(item.Pg.objgen) if "/Pg" in item else page
                if "/Stm" in item:
                    report.add("mcid-missing", f"{role} element: MCR in a content stream other than a page's")
                    continue
                if mcr_page is None:
                    report.add("mcid-missing", f"{role} element: MCR without a page")
                    continue
                mcid = int(item.MCID)
                owners.setdefault((mcr_page, mcid), []).append(node)
                node.mcids.append((mcr_page, mcid))
                texts.append(report.content_text.get((mcr_page, mcid), ""))
                reading.append(texts[-1])
            elif isinstance(item, pikepdf.Dictionary) and str(item.get("/Type", "")) == "/OBJR":
                node.annotations.append(item.Obj)
                annotation_owner[item.Obj.objgen] = node
            else:
                child = visit(item, obj, depth + 1, page)
                if child is not None:
                    node.children.append(child)
                    text = child.actual_text if child.actual_text is not None else child.reading
                    reading.append(text if child.standard in INLINE_ROLES else f"\n\n{text}\n\n")
        node.text = "".join(texts)
        node.reading = "".join(reading)
        return node

    top = root.get("/K")
    tops = list(top) if isinstance(top, pikepdf.Array) else ([] if top is None else [top])
    for item in tops:
        visit(item, root, 0, None)
    if not report.nodes:
        report.add("no-structure", "the structure tree has no elements")
        return
    for key in sorted(content_mcids):
        found = owners.get(key, [])
        if not found:
            report.add("mcid-unreferenced", f"page {key[0] + 1}: MCID {key[1]} belongs to no element "
                       f"({report.content_text.get(key, '')[:40]!r})")
    for key, found in sorted(owners.items(), key=lambda kv: kv[0]):
        if len(found) > 1:
            report.add("mcid-twice", f"page {key[0] + 1}: MCID {key[1]} is owned {len(found)} times "
                       f"({', '.join(n.role for n in found)})")
        if key not in content_mcids:
            report.add("mcid-missing", f"page {key[0] + 1}: MCID {key[1]} of {found[0].role} is not in the content")
    for ident, count in sorted(ids.items()):
        if count > 1:
            report.add("note-id", f"ID {ident!r} is used by {count} elements")
    for node in report.nodes:
        if node.standard == "Note" and "/ID" not in node.obj:
            report.add("note-id", "a Note element has no /ID")
    parent_tree = _number_tree(root.get("/ParentTree"))
    next_key = root.get("/ParentTreeNextKey")
    if parent_tree and (next_key is None or int(next_key) <= max(parent_tree)):
        report.add("parent-tree", "ParentTreeNextKey is missing or not above every key")
    for i, page in enumerate(pages):
        mcids = sorted(m for (p, m) in content_mcids if p == i)
        if not mcids:
            continue
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in parent_tree:
            report.add("parent-tree", f"page {i + 1} has MCIDs but no /StructParents entry in the ParentTree")
            continue
        array = parent_tree[int(key)]
        for mcid in mcids:
            owner = owners.get((i, mcid))
            mapped = array[mcid] if mcid < len(array) else None
            if owner and (mapped is None or not isinstance(mapped, pikepdf.Dictionary)
                          or mapped.objgen != owner[0].obj.objgen):
                report.add("parent-tree", f"page {i + 1}: ParentTree does not map MCID {mcid} to its element")
    report.annotation_owner = annotation_owner
    report.parent_tree = parent_tree
    _check_roles(report)


def _check_roles(report: StructureReport) -> None:
    level = 0
    kinds: set[str] = set()
    for node in report.nodes:
        kids = [c.standard for c in node.children]
        role = node.standard
        if role in ("Figure", "Formula") and not (node.alt or "").strip() and not node.actual_text:
            report.add("figure-alt", f"{node.role} element without /Alt or /ActualText")
        if (role == "H" or (len(role) == 2 and role[0] == "H" and role[1].isdigit())) and not _has_content(node):
            report.add("heading-empty", f"{node.role} element without content")
        if kids.count("H") > 1:
            report.add("heading-kind", f"{node.role} element has {kids.count('H')} H children")
        if role == "H":
            kinds.add("H")
        elif len(role) == 2 and role[0] == "H" and role[1].isdigit():
            kinds.add("Hn")
            number = int(role[1])
            if level == 0 and number != 1:
                report.add("heading-order", f"the first heading is {role}, not H1")
            elif level and number > level + 1:
                report.add("heading-order", f"{role} follows H{level}: a level is skipped")
            level = number
        _check_nesting(node, kids, report)
        if role == "Table":
            _check_table(node, report)
    if kinds == {"H", "Hn"}:
        report.add("heading-kind", "both H and H1-H6 are used")


def _has_content(node: Node) -> bool:
    return bool(node.mcids or node.annotations or any(_has_content(c) for c in node.children))


_PARENTS = {
    "TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"}, "THead": {"Table"},
    "TBody": {"Table"}, "TFoot": {"Table"}, "LI": {"L"}, "LBody": {"LI"}, "Lbl": {"LI"}, "TOCI": {"TOC"},
}
_KIDS = {
    "TR": {"TH", "TD"}, "THead": {"TR"}, "TBody": {"TR"}, "TFoot": {"TR"}, "LI": {"Lbl", "LBody"},
    "L": {"L", "LI", "Caption"}, "TOC": {"TOC", "TOCI", "Caption"},
    "Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
}


def _check_nesting(node: Node, kids: list[str], report: StructureReport) -> None:
    role = node.standard
    allowed = _KIDS.get(role)
    if allowed is not None:
        wrong = sorted(set(kids) - allowed)
        if wrong:
            report.add("nesting", f"{role} contains {', '.join(wrong)}")
    for child in node.children:
        parents = _PARENTS.get(child.standard)
        if parents is not None and role not in parents:
            report.add("nesting", f"{child.standard} inside {role}")
    captions = [i for i, k in enumerate(kids) if k == "Caption"]
    if role in ("L", "TOC") and any(i != 0 for i in captions):
        report.add("nesting", f"a Caption of {role} that is not its first child")
    if role == "Table" and (len(captions) > 1 or any(i not in (0, len(kids) - 1) for i in captions)):
        report.add("nesting", "a Table's Caption must be its only first or last child")
    if role == "Table":
        for part in ("THead", "TFoot"):
            if kids.count(part) > 1:
                report.add("nesting", f"a Table with {kids.count(part)} {part}")
            if part in kids and "TBody" not in kids:
                report.add("nesting", f"a Table with {part} and no TBody")


def _check_table(table: Node, report: StructureReport) -> None:
    rows: list[Node] = []
    for kid in table.children:
        if kid.standard == "TR":
            rows.append(kid)
        elif kid.standard in ("THead", "TBody", "TFoot"):
            rows.extend(r for r in kid.children if r.standard == "TR")
    grid: set[tuple[int, int]] = set()
    uses_headers = False
    for r, row in enumerate(rows):
        column = 0
        for cell in row.children:
            while (r, column) in grid:
                column += 1
            rows_spanned = int(cell.attributes.get("/RowSpan", 1))
            columns_spanned = int(cell.attributes.get("/ColSpan", 1))
            for dr in range(rows_spanned):
                for dc in range(columns_spanned):
                    grid.add((r + dr, column + dc))
            column += columns_spanned
            uses_headers = uses_headers or "/Headers" in cell.attributes
    widths = {sum(1 for (row, _c) in grid if row == r) for r in range(len(rows))}
    if len(widths) > 1:
        report.add("table-irregular", f"a Table's rows span {sorted(widths)} columns")
    if not uses_headers:
        for row in rows:
            for cell in row.children:
                if cell.standard == "TH" and "/Scope" not in cell.attributes:
                    report.add("th-scope", f"a TH without /Scope ({cell.text[:30]!r})")


def _check_word_breaks(report: StructureReport, expected_text: str | None = None) -> None:
    """Words on two lines of one element are separated by a space (ISO 32000-1 14.8.2.5), not by position alone.

    Read in each element that has content of its own, with its inline children (links, language spans,
    hyphens) in place: a line may end in a link and the next begin after it.
    """
    words = "\n".join(expected_text.replace("\u00ad", "").split()) if expected_text is not None else None
    for node in report.nodes:
        if not node.mcids:
            continue
        for found in re.finditer(r"(\w+)\n(\w+)", node.reading):
            if words is not None and found.group(1) + found.group(2) in words:
                continue  # one word broken where it had no break (an overlong word)
            report.add("word-break", f"{node.role}: no space between {found.group(1)!r} and {found.group(2)!r} "
                       "at a line end")


# -- annotations, catalog, metadata ------------------------------------------------------------------


def _check_annotations(pdf: Any, pages: list[Any], report: StructureReport) -> None:
    owners = report.annotation_owner
    parent_tree = report.parent_tree
    for i, page in enumerate(pages):
        if str(page.obj.get("/Tabs", "")) != "/S":
            report.add("tabs", f"page {i + 1} has no /Tabs /S")
        for annotation in page.obj.get("/Annots", []):
            subtype = str(annotation.get("/Subtype", ""))
            if subtype in ("/Popup", "/Widget", "/PrinterMark"):
                continue
            flags = int(annotation.get("/F", 0))
            if flags & 2:
                continue
            where = f"page {i + 1}: {subtype[1:]} annotation"
            owner = owners.get(annotation.objgen)
            wanted = "Link" if subtype == "/Link" else "Annot"
            if subtype == "/Link" and not _text(annotation.get("/Contents")).strip():
                report.add("link-contents", f"{where} without /Contents")
            if owner is None or owner.standard != wanted:
                report.add("link-annotation", f"{where} is not in a {wanted} element (OBJR)")
            key = annotation.get("/StructParent")
            if key is None:
                report.add("link-annotation", f"{where} has no /StructParent")
                continue
            mapped = parent_tree.get(int(key))
            if owner is None or not isinstance(mapped, pikepdf.Dictionary) or mapped.objgen != owner.obj.objgen:
                report.add("parent-tree", f"{where}: ParentTree[{int(key)}] is not its {wanted} element")


def _check_catalog(pdf: Any, report: StructureReport) -> None:
    catalog = pdf.Root
    mark_info = catalog.get("/MarkInfo")
    if mark_info is None or not bool(mark_info.get("/Marked", False)):
        report.add("mark-info", "/MarkInfo /Marked is not true")
    elif bool(mark_info.get("/Suspects", False)):
        report.add("mark-info", "/MarkInfo /Suspects is true")
    lang = _text(catalog.get("/Lang")) if "/Lang" in catalog else None
    report.catalog_lang = lang
    if not lang or not LANG.match(lang):
        report.add("lang", f"catalog /Lang {lang!r} is missing or not a language tag")
    preferences = catalog.get("/ViewerPreferences")
    if preferences is None or not bool(preferences.get("/DisplayDocTitle", False)):
        report.add("display-doc-title", "/ViewerPreferences /DisplayDocTitle is not true")


def _info_date(value: str) -> datetime | None:
    found = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?", value)
    if not found:
        return None
    y, mo, d, h, mi, s, sign, tzh, tzm = found.groups()
    text = f"{y}-{mo or '01'}-{d or '01'}T{h or '00'}:{mi or '00'}:{s or '00'}"
    if sign in ("+", "-"):
        text += f"{sign}{tzh or '00'}:{tzm or '00'}"
    elif sign == "Z":
        text += "+00:00"
    return datetime.fromisoformat(text)


def _check_metadata(pdf: Any, report: StructureReport) -> None:
    from lxml import etree

    info = {str(k): _text(v) for k, v in pdf.docinfo.items()} if "/Info" in pdf.trailer else {}
    report.info = info
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        report.add("xmp", "the catalog has no XMP /Metadata")
        return
    root = etree.fromstring(bytes(stream.read_bytes()))

    def first(path: str) -> str | None:
        found = root.xpath(path, namespaces=NS)
        return str(found[0]).strip() if found else None

    xmp = {
        "pdfuaid:part": first("//pdfuaid:part/text() | //rdf:Description/@pdfuaid:part"),
        "dc:title": first("//dc:title//rdf:li[@xml:lang='x-default']/text()"),
        "dc:creator": [str(t) for t in root.xpath("//dc:creator//rdf:li/text()", namespaces=NS)],
        "dc:language": [str(t) for t in root.xpath("//dc:language//rdf:li/text()", namespaces=NS)],
        "pdf:Producer": first("//pdf:Producer/text() | //rdf:Description/@pdf:Producer"),
        "xmp:CreatorTool": first("//xmp:CreatorTool/text() | //rdf:Description/@xmp:CreatorTool"),
        "xmp:CreateDate": first("//xmp:CreateDate/text() | //rdf:Description/@xmp:CreateDate"),
        "xmp:ModifyDate": first("//xmp:ModifyDate/text() | //rdf:Description/@xmp:ModifyDate"),
    }
    report.xmp = xmp
    if xmp["pdfuaid:part"] != "1":
        report.add("xmp", f"pdfuaid:part is {xmp['pdfuaid:part']!r}, not 1")
    if not xmp["dc:title"]:
        report.add("xmp", "XMP has no dc:title")
    pairs = [("/Title", "dc:title"), ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")]
    for key, name in pairs:
        if key in info and (xmp[name] or "") != info[key]:
            report.add("xmp", f"{name} {xmp[name]!r} differs from Info {key} {info[key]!r}")
    if "/Author" in info and xmp["dc:creator"] != [info["/Author"]]:
        report.add("xmp", f"dc:creator {xmp['dc:creator']!r} differs from Info /Author {info['/Author']!r}")
    for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key not in info:
            continue
        expected = _info_date(info[key])
        value = xmp[name]
        got = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
        if expected is None or got is None or got != expected:
            report.add("xmp", f"{name} {value!r} differs from Info {key} {info[key]!r}")
    if report.catalog_lang and xmp["dc:language"] and report.catalog_lang not in xmp["dc:language"]:
        report.add("xmp", f"dc:language {xmp['dc:language']} does not include /Lang {report.catalog_lang}")


def iter_nodes(report: StructureReport, role: str) -> Iterator[Node]:
    """The elements with ``role`` (convenience for tests)."""
    yield from report.find(role)
