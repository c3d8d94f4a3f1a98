"""The structure model of a tagged PDF, built in Python during layout (PDF writer, layout stage).

A :class:`StructTree` holds :class:`Element` objects: the logical structure of
the document (ISO 32000-1, 14.7 and 14.8.4; PDF/UA-1, 7). The layout creates the
elements in reading order (source order) *before* anything is drawn, and hands
each one to whatever draws its content: ``TextFlowable(block, tag=element)`` for
text, :class:`~briefpub.writers.pdf.tagging.flowables.Marked` for an image or a
QR code. While drawing, the :class:`~briefpub.writers.pdf.tagging.tagger.Tagger`
adds marked-content references to the elements; the post-processor
(:func:`~briefpub.writers.pdf.tagging.postprocess.finish`) writes the tree.

Reading order is creation order: a figure that floats to the next page, or a
paragraph split over two pages, stays where it was created. Within one element,
its own content (text, and the ``Link`` elements the tagger makes for links in
that text) comes first, in drawing order, then its child elements in creation
order.

The model checks what ISO 32000-1 and PDF/UA-1 fix regardless of content, and
raises :class:`StructureError` (a programming error in the layout, never an
input problem): roles are standard structure types or mapped to one in the role
map (PDF/UA-1 7.1-5/6/7); tables, lists and tables of contents nest as 14.8.4.3
requires (7.2-3 to 7.2-20, 7.2-26/27); ``Scope`` and ``ListNumbering`` take
their defined values; ``Lang`` is a BCP 47 tag. What depends on content (heading
levels, alternative text present) is checked by the post-processor and reported.

Nothing here imports reportlab or pikepdf.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from briefpub._lazyre import lazy_re
from briefpub.language import valid_tag

__all__ = [
    "ARTIFACT_TYPES",
    "LIST_NUMBERING",
    "SCOPES",
    "STANDARD_ROLES",
    "Element",
    "HeadingLevels",
    "StructTree",
    "StructureError",
]

#: The standard structure types of ISO 32000-1:2008, 14.8.4 (PDF 1.7, which PDF/UA-1 is based on).
STANDARD_ROLES: frozenset[str] = frozenset({
    # grouping elements (14.8.4.2)
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private",
    # block-level structure elements (14.8.4.3)
    "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody",
    "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot",
    # inline-level structure elements (14.8.4.4)
    "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP",
    "Warichu", "WT", "WP",
    # illustration elements (14.8.4.5)
    "Figure", "Formula", "Form",
})

#: Values of the Table attribute ``Scope`` (14.8.5.7, Table 349).
SCOPES: frozenset[str] = frozenset({"Row", "Column", "Both"})
#: Values of the List attribute ``ListNumbering`` (14.8.5.5, Table 347).
LIST_NUMBERING: frozenset[str] = frozenset({
    "None", "Disc", "Circle", "Square", "Decimal", "UpperRoman", "LowerRoman", "UpperAlpha", "LowerAlpha",
})
#: Artifact types (14.8.2.2.2, Table 330) and the subtypes of ``Pagination`` artifacts.
ARTIFACT_TYPES: Mapping[str, frozenset[str]] = {
    "Pagination": frozenset({"Header", "Footer", "Watermark"}),
    "Layout": frozenset(),
    "Page": frozenset(),
    "Background": frozenset(),
}

# What each standard type may contain / be contained in (ISO 32000-1 14.8.4.3; PDF/UA-1 7.2 as veraPDF tests it).
_ALLOWED_KIDS: Mapping[str, frozenset[str]] = {
    "Table": frozenset({"TR", "THead", "TBody", "TFoot", "Caption"}),
    "THead": frozenset({"TR"}),
    "TBody": frozenset({"TR"}),
    "TFoot": frozenset({"TR"}),
    "TR": frozenset({"TH", "TD"}),
    "L": frozenset({"L", "LI", "Caption"}),
    "LI": frozenset({"Lbl", "LBody"}),
    "TOC": frozenset({"TOC", "TOCI", "Caption"}),
}
_REQUIRED_PARENT: Mapping[str, frozenset[str]] = {
    "TR": frozenset({"Table", "THead", "TBody", "TFoot"}),
    "TH": frozenset({"TR"}),
    "TD": frozenset({"TR"}),
    "THead": frozenset({"Table"}),
    "TBody": frozenset({"Table"}),
    "TFoot": frozenset({"Table"}),
    "LI": frozenset({"L"}),
    "Lbl": frozenset({"LI"}),
    "LBody": frozenset({"LI"}),
    "TOCI": frozenset({"TOC"}),
}


_ROLE_NAME = lazy_re(r"[A-Za-z][A-Za-z0-9]*\Z")


class StructureError(ValueError):
    """The layout asked for a structure ISO 32000-1 / PDF/UA-1 does not allow (a bug in the layout)."""


@dataclass(eq=False, slots=True)
class Element:
    """A structure element (``/StructElem``): a role and its attributes.

    Elements compare by identity: each one is a node of one tree. Create them
    with :meth:`add` (or :meth:`StructTree.add`), never directly. ``role`` is the
    structure type written as ``/S`` (a standard type or one of the tree's
    custom roles); :attr:`standard_role` is what it maps to.

    Attributes written when set: ``alt`` (``/Alt``, figures and formulas),
    ``actual_text`` (``/ActualText``), ``expansion`` (``/E``, abbreviations),
    ``lang`` (``/Lang`` when it differs from the inherited language), ``title``
    (``/T``), ``id`` (``/ID``, and the tree's ``IDTree``), and the layout and
    table attributes ``scope`` (``TH``), ``headers``, ``row_span``,
    ``col_span``, ``list_numbering`` (``L``) and ``bbox`` (figures: ``/BBox`` in
    default user space; the tagger fills it in for :class:`Marked` flowables).
    """

    tree: StructTree
    role: str
    parent: Element | None
    ordinal: int
    alt: str | None = None
    actual_text: str | None = None
    expansion: str | None = None
    lang: str | None = None
    title: str | None = None
    id: str | None = None
    scope: str | None = None
    headers: tuple[str, ...] = ()
    row_span: int | None = None
    col_span: int | None = None
    list_numbering: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    children: list[Element] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Element({self.role!r}, #{self.ordinal})"

    @property
    def standard_role(self) -> str:
        """The standard structure type this element's role is (or maps to)."""
        return self.tree.standard_role(self.role)

    def add(self, role: str, **attributes: object) -> Element:
        """A new child element, last among this element's children (see :meth:`StructTree.add`)."""
        return self.tree.add(self, role, **attributes)

    def ancestors(self) -> Iterator[Element]:
        """The parent, its parent, ... up to the root."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def inherited_lang(self) -> str:
        """The language in effect for this element (its own, an ancestor's, or the document's)."""
        if self.lang:
            return self.lang
        for node in self.ancestors():
            if node.lang:
                return node.lang
        return self.tree.lang


class StructTree:
    """The logical structure of one PDF: a ``Document`` root and its descendants.

    ``lang`` is the document's language (the catalog's ``/Lang``); ``title`` its
    title (``/Title`` and ``dc:title`` when reportlab set none). ``role_map``
    maps custom roles to standard ones (or to other custom roles that end at a
    standard one); standard roles cannot be remapped.
    """

    def __init__(self, lang: str, title: str, *, role_map: Mapping[str, str] | None = None) -> None:
        if not valid_tag(lang):
            raise StructureError(f"not a BCP 47 language tag: {lang!r}")
        self.lang = lang
        self.title = title
        self.role_map: dict[str, str] = dict(role_map or {})
        self._standard: dict[str, str] = {}
        for role, target in self.role_map.items():
            if not _ROLE_NAME.match(role) or not _ROLE_NAME.match(target):
                raise StructureError(f"role names are letters and digits: {role!r} -> {target!r}")
            if role in STANDARD_ROLES:
                raise StructureError(f"a standard structure type cannot be remapped: {role}")
            self._standard[role] = self._resolve(role)
        self._count = 0
        self._ids: set[str] = set()
        self.root = self._make("Document", None, {})

    def _resolve(self, role: str) -> str:
        seen = [role]
        current = role
        while current not in STANDARD_ROLES:
            target = self.role_map.get(current)
            if target is None:
                raise StructureError(f"role {role!r} does not map to a standard structure type")
            if target in seen:
                raise StructureError(f"circular role mapping: {' -> '.join([*seen, target])}")
            seen.append(target)
            current = target
        return current

    def standard_role(self, role: str) -> str:
        """The standard type of ``role`` (``role`` itself when it is standard)."""
        if role in STANDARD_ROLES:
            return role
        found = self._standard.get(role)
        if found is None:
            raise StructureError(f"unknown structure type {role!r}: not standard and not in the role map")
        return found

    def add(self, parent: Element, role: str, **attributes: object) -> Element:
        """A new element with ``role`` under ``parent``, after its existing children.

        Keyword attributes are :class:`Element`'s (``alt``, ``lang``, ``scope``...).
        Raises :class:`StructureError` for a structure the standards forbid.
        """
        if parent.tree is not self:
            raise StructureError("the parent belongs to another structure tree")
        standard = self.standard_role(role)
        parent_standard = parent.standard_role
        allowed = _ALLOWED_KIDS.get(parent_standard)
        if allowed is not None and standard not in allowed:
            raise StructureError(f"{parent_standard} cannot contain {standard} (allowed: {', '.join(sorted(allowed))})")
        required = _REQUIRED_PARENT.get(standard)
        if required is not None and parent_standard not in required:
            raise StructureError(f"{standard} must be inside {' or '.join(sorted(required))}, not {parent_standard}")
        if standard == "Document":
            raise StructureError("the tree has one Document element, its root")
        if standard == "Caption" and parent_standard in ("L", "TOC") and parent.children:
            raise StructureError(f"a Caption must be the first child of {parent_standard}")
        element = self._make(role, parent, attributes)
        parent.children.append(element)
        return element

    def detached(self, parent: Element, role: str, **attributes: object) -> Element:
        """An element under ``parent`` that is not one of its ``children``.

        The tagger makes these while drawing (the ``Link`` element of a link in a
        paragraph) and places them among ``parent``'s content, where they were drawn.
        """
        if parent.tree is not self:
            raise StructureError("the parent belongs to another structure tree")
        return self._make(role, parent, attributes)

    def _make(self, role: str, parent: Element | None, attributes: Mapping[str, object]) -> Element:
        known = set(Element.__dataclass_fields__) - {"tree", "role", "parent", "ordinal", "children"}
        unknown = set(attributes) - known
        if unknown:
            raise StructureError(f"unknown element attributes: {', '.join(sorted(unknown))}")
        element = Element(self, role, parent, self._count, **attributes)  # type: ignore[arg-type]
        self._count += 1
        self._check(element)
        return element

    def _check(self, element: Element) -> None:
        standard = element.standard_role
        if element.lang is not None and not valid_tag(element.lang):
            raise StructureError(f"not a BCP 47 language tag: {element.lang!r}")
        if element.scope is not None and (standard != "TH" or element.scope not in SCOPES):
            raise StructureError(f"Scope {element.scope!r} on {standard}: only TH, one of {', '.join(sorted(SCOPES))}")
        if element.list_numbering is not None and (standard != "L" or element.list_numbering not in LIST_NUMBERING):
            raise StructureError(f"ListNumbering {element.list_numbering!r} on {standard}: only L, one of "
                                 f"{', '.join(sorted(LIST_NUMBERING))}")
        for span in (element.row_span, element.col_span):
            if span is not None and (standard not in ("TH", "TD") or span < 1):
                raise StructureError(f"row/column span {span!r} on {standard}: only TH or TD, at least 1")
        if element.id is not None:
            if not element.id or element.id in self._ids:
                raise StructureError(f"element ids must be unique and non-empty: {element.id!r}")
            self._ids.add(element.id)
        if standard == "Note" and element.id is None:  # PDF/UA-1 7.9: every Note has a unique ID
            number = len(self._ids) + 1
            while f"note-{number}" in self._ids:
                number += 1
            element.id = f"note-{number}"
            self._ids.add(element.id)

    def __iter__(self) -> Iterator[Element]:
        """Every element, depth first in reading order (the root first)."""
        stack = [self.root]
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))

    def __len__(self) -> int:
        return self._count


class HeadingLevels:
    """Numbered heading roles in reading order that start at H1 and never skip a level going down.

    PDF/UA-1 7.4.2: "H1 shall be the first" and a descending sequence "shall not
    skip an intervening heading level". An article may go from its title
    straight to a level-3 heading; ``role(3)`` then gives ``H2``. Going back up
    is free. Use one per structure tree, in the order the headings are created.
    """

    def __init__(self) -> None:
        self.current = 0

    def role(self, level: int) -> str:
        """The role for a heading of ``level`` (1-6; others are clamped) after the headings so far."""
        number = max(1, min(level, self.current + 1, 6))
        self.current = number
        return f"H{number}"
