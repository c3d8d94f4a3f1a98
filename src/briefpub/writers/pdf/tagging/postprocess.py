"""The post-processor: reportlab's bytes and the recorded structure in, a tagged PDF out (PDF writer, output).

:func:`finish` opens reportlab's PDF with pikepdf (imported here, only when the
PDF writer runs) and writes what reportlab cannot:

* the structure tree: ``/StructTreeRoot`` with ``/K`` (the ``Document``
  element), every kept element as a ``/StructElem`` (``/S``, ``/P``, ``/K``,
  ``/Pg``, ``/Alt``, ``/ActualText``, ``/E``, ``/Lang`` where the language
  differs from the inherited one, ``/T``, ``/ID``, and ``/A`` attribute
  dictionaries: ``Layout`` ``/BBox``, ``Table`` ``/Scope`` ``/Headers``
  ``/RowSpan`` ``/ColSpan``, ``List`` ``/ListNumbering``); marked content as
  MCIDs (``/MCR`` dictionaries for another page than the element's ``/Pg``),
  link annotations as ``/OBJR``; the ``/ParentTree`` number tree (each page's
  ``/StructParents`` key maps to the array of elements by MCID, each
  annotation's ``/StructParent`` key to its ``Link`` element),
  ``/ParentTreeNextKey``, ``/RoleMap`` and ``/IDTree`` when needed;
* the catalog's ``/MarkInfo << /Marked true >>``, ``/Lang``,
  ``/ViewerPreferences << /DisplayDocTitle true >>``;
* ``/Tabs /S`` on every page, and a ``/Contents`` description on every link
  annotation that has none (its text, else its target);
* the Info dictionary's ``/Title`` set to the tree's title (reportlab writes
  "untitled" when it was given none), its empty entries removed (reportlab
  writes ``/Author ()`` for no author), and XMP metadata mirroring the Info
  dictionary (``dc:title``, ``dc:creator``, ``dc:description``,
  ``pdf:Keywords``, ``pdf:Producer``, ``xmp:CreatorTool``,
  ``xmp:CreateDate``, ``xmp:ModifyDate``), with ``dc:language`` and
  ``pdfuaid:part`` 1.

Elements that received no content are left out (table cells excepted: an empty
cell keeps its table regular), and counted. The output is saved
deterministically (``deterministic_id``, objects in traversal order, no
timestamps added): the same reportlab bytes and recording give the same bytes.

Problems (content drawn without an element, an annotation the tagger did not
number, a figure without alternative text, skipped heading levels, irregular
tables...) are returned for the writer to report; the PDF is still written.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from briefpub.writers.pdf.tagging.model import Element, StructTree
from briefpub.writers.pdf.tagging.tagger import ContentRef, Kid, Recording

__all__ = ["Finished", "finish", "structure_problems"]

#: Info keys mirrored into XMP (pikepdf's DocumentInfo mapping); ``/Trapped`` has no XMP equivalent.
_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate", "/ModDate")
#: Roles whose elements are kept without content (an empty cell keeps its table regular).
_KEEP_EMPTY = frozenset({"TD", "TH"})


@dataclass(frozen=True, slots=True)
class Finished:
    """The tagged PDF and what to report about it."""

    data: bytes
    #: Structure elements written.
    elements: int
    #: Elements left out because nothing was drawn for them.
    pruned: int
    #: What could not be tagged as asked, or breaks a PDF/UA rule that depends on content.
    problems: tuple[str, ...]


def finish(data: bytes | BinaryIO, recording: Recording) -> Finished:
    """The tagged version of reportlab's PDF (``data``: its bytes, or a seekable binary file at its
    start), given what the tagger recorded while it was drawn.

    A file is read as a stream (not mapped: its pages would count as this process's memory) and the
    result is written to a temporary file, read back once pikepdf's objects are freed: a long pack's
    PDF is never in memory three times over (reportlab's bytes, pikepdf's objects, the output).
    """
    import pikepdf

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with tempfile.TemporaryFile() as tagged:
        pdf = pikepdf.open(source, access_mode=pikepdf.AccessMode.stream)
        try:
            elements, pruned, problems = _tag(pdf, recording)
            pdf.save(tagged, deterministic_id=True, min_version="1.7", compress_streams=True,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate)
        finally:
            pdf.close()
        del pdf  # pikepdf's objects go before the output is read
        tagged.seek(0)
        return Finished(tagged.read(), elements, pruned, problems)


def _tag(pdf: Any, recording: Recording) -> tuple[int, int, tuple[str, ...]]:
    """Write the structure into ``pdf``: elements written, elements pruned, problems."""
    import pikepdf

    tree = recording.tree
    problems: list[str] = list(recording.problems)
    pages = list(pdf.pages)
    content = recording.content

    kept, reachable = _kept_elements(tree, content)
    annotations = _annotations(pdf, pages, problems)

    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    by_page: dict[int, dict[int, Any]] = {}
    by_key: dict[int, Any] = {}
    ids: dict[str, Any] = {}
    written = 0

    def kids_of(element: Element) -> list[Kid]:
        return [*content.get(element, ()), *element.children]

    def build(element: Element, parent: Any, parent_lang: str) -> Any:
        nonlocal written
        written += 1
        node = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + element.role), P=parent))
        lang = element.lang or parent_lang
        if element.lang and element.lang != parent_lang:
            node.Lang = pikepdf.String(element.lang)
        for key, value in (("/Alt", element.alt), ("/ActualText", element.actual_text), ("/E", element.expansion),
                           ("/T", element.title), ("/ID", element.id)):
            if value is not None:
                node[key] = pikepdf.String(value)
        if element.id is not None:
            ids[element.id] = node
        attributes = _attributes(element, recording.bboxes.get(element, ()))
        if attributes:
            made = [pikepdf.Dictionary({k: _pdf_value(v) for k, v in entries.items()}) for entries in attributes]
            node.A = made[0] if len(made) == 1 else pikepdf.Array(made)
        kids = kids_of(element)
        first = next((kid.page for kid in kids if isinstance(kid, ContentRef) and kid.page <= len(pages)), None)
        if first is not None:
            node.Pg = pages[first - 1].obj
        out: list[Any] = []
        for kid in kids:
            if isinstance(kid, Element):
                if kid in kept:
                    out.append(build(kid, node, lang))
            elif isinstance(kid, ContentRef):
                if kid.page > len(pages):
                    problems.append(f"marked content recorded on page {kid.page} of a {len(pages)}-page PDF")
                    continue
                by_page.setdefault(kid.page, {})[kid.mcid] = node
                if kid.page == first:
                    out.append(kid.mcid)
                else:
                    out.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=pages[kid.page - 1].obj, MCID=kid.mcid))
            else:
                found = annotations.pop(kid.key, None)
                if found is None:
                    problems.append(f"annotation {kid.key} (page {kid.page}) was recorded but is not in the PDF")
                    continue
                annotation, page_index = found
                if not str(annotation.get("/Contents", "")).strip():
                    annotation.Contents = pikepdf.String(kid.description or "link")
                by_key[kid.key] = node
                out.append(pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=pages[page_index].obj))
        if len(out) == 1:
            node.K = out[0]  # a single kid is written bare (ISO 32000-1, Table 323)
        elif out:
            node.K = pikepdf.Array(out)
        return node

    document = build(tree.root, root, tree.lang)
    for key in sorted(annotations):
        problems.append(f"an annotation numbered {key} belongs to no element")

    nums: list[Any] = []
    for key in sorted(by_key):
        nums.extend([key, by_key[key]])
    for number in sorted(by_page):
        mcids = by_page[number]
        key = recording.next_key + number - 1
        pages[number - 1].obj.StructParents = key
        nums.extend([key, pikepdf.Array([mcids.get(m, None) for m in range(max(mcids) + 1)])])
    root.K = pikepdf.Array([document])
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = recording.next_key + len(pages)
    if tree.role_map:
        root.RoleMap = pikepdf.Dictionary({"/" + k: pikepdf.Name("/" + v) for k, v in sorted(tree.role_map.items())})
    if ids:
        names: list[Any] = []
        for ident in sorted(ids, key=lambda s: s.encode("utf-8")):
            names.extend([pikepdf.String(ident), ids[ident]])
        root.IDTree = pikepdf.Dictionary(Names=pikepdf.Array(names))

    catalog = pdf.Root
    catalog.StructTreeRoot = root
    catalog.MarkInfo = pikepdf.Dictionary(Marked=True)
    catalog.Lang = pikepdf.String(tree.lang)
    preferences = catalog.get("/ViewerPreferences")
    if not isinstance(preferences, pikepdf.Dictionary):
        preferences = pikepdf.Dictionary()
    preferences.DisplayDocTitle = True
    catalog.ViewerPreferences = preferences
    for page in pages:
        page.obj.Tabs = pikepdf.Name.S

    _metadata(pdf, tree, problems)
    problems.extend(structure_problems(tree, kept, recording))
    return written, reachable - written, tuple(dict.fromkeys(problems))


def _kept_elements(tree: StructTree, content: Mapping[Element, Sequence[Kid]]) -> tuple[set[Element], int]:
    """Elements with content, table cells, and their ancestors (the root always); and how many there are in all."""
    kept: set[Element] = {tree.root}
    seen = 0

    def visit(element: Element) -> bool:
        nonlocal seen
        seen += 1
        kids = [*content.get(element, ()), *element.children]
        keep = element.standard_role in _KEEP_EMPTY
        for kid in kids:
            has_content = visit(kid) if isinstance(kid, Element) else True  # visits every descendant
            keep = has_content or keep
        if keep:
            kept.add(element)
        return keep

    visit(tree.root)
    return kept, seen


def _annotations(pdf: Any, pages: Sequence[Any], problems: list[str]) -> dict[int, tuple[Any, int]]:
    """Annotations with a ``StructParent`` key, by key; link annotations without one are reported."""
    found: dict[int, tuple[Any, int]] = {}
    for index, page in enumerate(pages):
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                found[int(annotation.StructParent)] = (annotation, index)
            elif str(annotation.get("/Subtype", "")) == "/Link":
                problems.append(f"a link annotation on page {index + 1} was not announced to the tagger: untagged")
    return found


def _attributes(element: Element, boxes: Sequence[tuple[int, tuple[float, float, float, float]]]
                ) -> list[dict[str, object]]:
    """The element's attribute dictionaries (``/O`` owner first)."""
    out: list[dict[str, object]] = []
    bbox = element.bbox
    if bbox is None and boxes and len({page for page, _box in boxes}) == 1:
        bbox = (min(b[0] for _p, b in boxes), min(b[1] for _p, b in boxes),
                max(b[2] for _p, b in boxes), max(b[3] for _p, b in boxes))
    if bbox is not None:
        out.append({"/O": "/Layout", "/BBox": [round(v, 3) for v in bbox]})
    table: dict[str, object] = {}
    if element.scope is not None:
        table["/Scope"] = "/" + element.scope
    if element.headers:
        table["/Headers"] = [_Text(h) for h in element.headers]
    if element.row_span is not None:
        table["/RowSpan"] = element.row_span
    if element.col_span is not None:
        table["/ColSpan"] = element.col_span
    if table:
        out.append({"/O": "/Table", **table})
    if element.list_numbering is not None:
        out.append({"/O": "/List", "/ListNumbering": "/" + element.list_numbering})
    return out


@dataclass(frozen=True, slots=True)
class _Text:
    """A PDF text string in an attribute (names are written as ``/Name`` strings)."""

    value: str


def _pdf_value(value: object) -> Any:
    import pikepdf

    if isinstance(value, _Text):
        return pikepdf.String(value.value)
    if isinstance(value, str):
        return pikepdf.Name(value)
    if isinstance(value, list):
        return pikepdf.Array([_pdf_value(v) for v in value])
    return value


def _metadata(pdf: Any, tree: StructTree, problems: list[str]) -> None:
    """XMP from the Info dictionary (its title the tree's), plus language and PDF/UA identification."""
    import pikepdf

    info = pdf.docinfo
    if tree.title.strip():
        info.Title = pikepdf.String(tree.title)
    elif not str(info.get("/Title", "")).strip():
        info.Title = pikepdf.String("Untitled")
    for key in _INFO_KEYS:  # an empty entry (reportlab writes /Author () for no author) says nothing
        if key in info and not str(info[key]).strip():
            del info[key]
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for key in _INFO_KEYS:
            value = str(info.get(key, "")).strip()
            if not value:
                continue
            try:
                meta.load_from_docinfo({key: str(info[key])}, raise_failure=True)
            except ValueError:
                problems.append(f"the Info entry {key} could not be copied to XMP metadata: {value!r}")
        meta["dc:language"] = [tree.lang]
        meta["pdfuaid:part"] = "1"


def structure_problems(tree: StructTree, kept: set[Element], recording: Recording) -> list[str]:
    """PDF/UA rules that depend on content, checked on the written elements.

    Figures and formulas need alternative text (7.3, 7.7); numbered headings
    start at H1 and never skip a level going down, and are not mixed with ``H``
    (7.4.2, 7.4.4); a table's caption is its first or last child, its rows span
    the same number of columns and its header cells have a ``Scope`` unless the
    table uses ``Headers`` (7.2-3/15/43, 7.5).
    """
    problems: list[str] = []
    order = [e for e in _written_order(tree, recording) if e in kept]
    level = 0
    kinds = set()
    for element in order:
        role = element.standard_role
        if role in ("Figure", "Formula") and not (element.alt or "").strip() and not element.actual_text:
            problems.append(f"{role} #{element.ordinal} has no alternative text")
        if role == "H":
            kinds.add("H")
        elif len(role) == 2 and role[0] == "H" and role[1].isdigit():
            kinds.add("Hn")
            number = int(role[1])
            if level == 0 and number != 1:
                problems.append(f"the first heading is {role}, not H1")
            elif number > level + 1 and level:
                problems.append(f"{role} #{element.ordinal} follows H{level}: a heading level is skipped")
            level = number
        if role == "Table":
            problems.extend(_table_problems(element, kept))
    if len(kinds) == 2:
        problems.append("both H and H1-H6 headings are used")
    return problems


def _written_order(tree: StructTree, recording: Recording) -> list[Element]:
    out: list[Element] = []

    def visit(element: Element) -> None:
        out.append(element)
        for kid in [*recording.content.get(element, ()), *element.children]:
            if isinstance(kid, Element):
                visit(kid)

    visit(tree.root)
    return out


def _table_problems(table: Element, kept: set[Element]) -> list[str]:
    problems: list[str] = []
    kids = [k for k in table.children if k in kept]
    captions = [i for i, k in enumerate(kids) if k.standard_role == "Caption"]
    if len(captions) > 1 or any(i not in (0, len(kids) - 1) for i in captions):
        problems.append(f"Table #{table.ordinal}: a caption must be its first or last child, and only one")
    rows: list[Element] = []
    for kid in kids:
        if kid.standard_role == "TR":
            rows.append(kid)
        elif kid.standard_role in ("THead", "TBody", "TFoot"):
            rows.extend(r for r in kid.children if r in kept)
    cells = [[c for c in row.children if c in kept] for row in rows]
    widths = _row_widths(cells)
    if len(set(widths)) > 1:
        problems.append(f"Table #{table.ordinal} is irregular: its rows span {sorted(set(widths))} columns")
    uses_headers = any(c.headers for row in cells for c in row)
    if not uses_headers:
        for row in cells:
            for cell in row:
                if cell.standard_role == "TH" and cell.scope is None:
                    problems.append(f"TH #{cell.ordinal} has no Scope (and the table does not use Headers)")
    return problems


def _row_widths(rows: list[list[Element]]) -> list[int]:
    """How many grid columns each row covers, counting column spans and cells spanning down from rows above."""
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        column = 0
        for cell in row:
            while (r, column) in occupied:
                column += 1
            for dr in range(cell.row_span or 1):
                for dc in range(cell.col_span or 1):
                    occupied.add((r + dr, column + dc))
            column += cell.col_span or 1
    return [sum(1 for (row, _c) in occupied if row == r) for r in range(len(rows))]
