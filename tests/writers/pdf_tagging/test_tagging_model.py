"""The structure model: roles, nesting and attributes as ISO 32000-1 and PDF/UA-1 fix them."""

from __future__ import annotations

import pytest

from briefpub.writers.pdf.tagging import STANDARD_ROLES, StructTree, StructureError


def tree(**kwargs: object) -> StructTree:
    return StructTree("en-GB", "A briefing", **kwargs)  # type: ignore[arg-type]


def test_root_is_a_document_and_order_is_creation_order() -> None:
    t = tree()
    part = t.root.add("Part")
    h1 = part.add("H1")
    p = part.add("P")
    sect = t.root.add("Sect")
    quote = part.add("BlockQuote")  # created last, read after p: creation order within the part
    assert t.root.role == "Document"
    assert [e for e in t] == [t.root, part, h1, p, quote, sect]
    assert len(t) == 6
    assert p.parent is part and list(p.ancestors()) == [part, t.root]


@pytest.mark.parametrize(("parent", "child"), [
    ("Part", "TR"), ("Part", "TD"), ("Part", "LI"), ("Part", "LBody"), ("Part", "TOCI"), ("L", "P"),
    ("LI", "P"), ("TR", "P"), ("Table", "P"), ("TOC", "P"), ("Part", "Document"),
])
def test_nesting_the_standards_forbid_is_refused(parent: str, child: str) -> None:
    t = tree()
    owners = {"LI": lambda: t.root.add("L").add("LI"), "TR": lambda: t.root.add("Table").add("TR")}
    owner = owners[parent]() if parent in owners else t.root.add(parent)
    with pytest.raises(StructureError):
        owner.add(child)


def test_lists_tables_and_contents_nest() -> None:
    t = tree()
    items = t.root.add("L", list_numbering="Decimal")
    item = items.add("LI")
    item.add("Lbl")
    body = item.add("LBody")
    body.add("P")
    body.add("L").add("LI")  # nested list
    table = t.root.add("Table")
    table.add("Caption")
    head = table.add("THead")
    head.add("TR").add("TH", scope="Column")
    table.add("TBody").add("TR").add("TD", col_span=2)
    toc = t.root.add("TOC")
    toc.add("Caption")
    toc.add("TOCI").add("Reference")
    assert items.list_numbering == "Decimal"


def test_a_caption_of_a_list_or_toc_must_come_first() -> None:
    t = tree()
    items = t.root.add("L")
    items.add("LI")
    with pytest.raises(StructureError, match="first child"):
        items.add("Caption")


@pytest.mark.parametrize("attributes", [
    {"scope": "Column"},  # Scope only on TH
    {"list_numbering": "Disc"},  # ListNumbering only on L
    {"col_span": 2},
    {"lang": "not a tag"},
    {"colour": "red"},  # unknown attribute
])
def test_attributes_in_the_wrong_place_are_refused(attributes: dict[str, object]) -> None:
    with pytest.raises(StructureError):
        tree().root.add("P", **attributes)


def test_attribute_values_are_checked() -> None:
    t = tree()
    row = t.root.add("Table").add("TR")
    with pytest.raises(StructureError):
        row.add("TH", scope="Columns")
    with pytest.raises(StructureError):
        row.add("TD", row_span=0)
    with pytest.raises(StructureError):
        t.root.add("L", list_numbering="Bullets")
    with pytest.raises(StructureError):
        StructTree("en GB", "x")


def test_custom_roles_map_to_standard_ones() -> None:
    t = tree(role_map={"Byline": "Kicker", "Kicker": "P"})
    byline = t.root.add("Byline")
    assert byline.role == "Byline" and byline.standard_role == "P"
    with pytest.raises(StructureError):
        t.root.add("Dateline")  # neither standard nor mapped
    with pytest.raises(StructureError):
        tree(role_map={"P": "Span"})  # a standard type cannot be remapped
    with pytest.raises(StructureError, match="circular"):
        tree(role_map={"A": "B", "B": "A"})
    with pytest.raises(StructureError):
        tree(role_map={"Odd name": "P"})


def test_mapped_roles_follow_the_nesting_rules_of_their_standard_type() -> None:
    t = tree(role_map={"Row": "TR"})
    with pytest.raises(StructureError):
        t.root.add("Row")
    t.root.add("Table").add("Row").add("TD")


def test_notes_get_unique_ids_and_ids_stay_unique() -> None:
    t = tree()
    first = t.root.add("Note")
    second = t.root.add("Note")
    assert first.id and second.id and first.id != second.id
    t.root.add("P", id="para-1")
    with pytest.raises(StructureError):
        t.root.add("P", id="para-1")


def test_inherited_language() -> None:
    t = tree()
    part = t.root.add("Part", lang="fr")
    p = part.add("P")
    assert p.inherited_lang() == "fr"
    assert t.root.add("P").inherited_lang() == "en-GB"


def test_detached_elements_are_not_children() -> None:
    t = tree()
    p = t.root.add("P")
    link = t.detached(p, "Link")
    assert link.parent is p and link not in p.children
    assert list(t) == [t.root, p]


def test_elements_belong_to_one_tree() -> None:
    a, b = tree(), tree()
    with pytest.raises(StructureError):
        a.add(b.root, "P")


def test_standard_roles_are_pdf_1_7s() -> None:
    assert len(STANDARD_ROLES) == 49  # 12 grouping, 19 block, 15 inline, 3 illustration
    assert {"Document", "H6", "TOCI", "Figure", "Formula", "Annot", "Warichu"} <= STANDARD_ROLES
    assert "Aside" not in STANDARD_ROLES and "Title" not in STANDARD_ROLES  # PDF 2.0 only


def test_heading_levels_never_skip_going_down() -> None:
    from briefpub.writers.pdf.tagging import HeadingLevels

    levels = HeadingLevels()
    assert [levels.role(n) for n in (1, 3, 4, 2, 6, 1, 0, 9)] == ["H1", "H2", "H3", "H2", "H3", "H1", "H1", "H2"]
    assert HeadingLevels().role(2) == "H1"  # the first heading is H1
