"""Negative controls: faults put into a sample, or into the conforming PDF, are caught by the checks and pdfua."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pikepdf
import pytest

from pdfstructure import inspect_pdf
from pdfua_runner import run_pdfua


def codes(data: bytes) -> set[str]:
    return inspect_pdf(data).codes()


def pdfua(data: bytes, tmp_path: Any) -> list[str]:
    path = tmp_path / "fault.pdf"
    path.write_bytes(data)
    (result,) = run_pdfua([path]).values()
    return result.findings


# -- faults made while laying out ------------------------------------------------------------


def test_stray_untagged_text(build, tmp_path):
    sample = build(untagged_text=True)
    report = inspect_pdf(sample.data)
    assert report.codes() == {"untagged-content"}
    assert any("stray text" in p.message for p in report.problems)
    assert any("UA-01-003" in f for f in pdfua(sample.data, tmp_path))


def test_figure_without_alternative_text(build, tmp_path):
    sample = build(figure_alt=None)
    assert codes(sample.data) == {"figure-alt"}
    assert any("Figure" in p and "alternative text" in p for p in sample.finished.problems)
    assert any("UA-13-004" in f for f in pdfua(sample.data, tmp_path))


def test_link_the_tagger_never_saw(build, tmp_path):
    sample = build(untagged_link=True)
    assert codes(sample.data) == {"link-annotation", "link-contents"}
    assert any("not announced to the tagger" in p for p in sample.finished.problems)
    assert any("UA-18-005" in f for f in pdfua(sample.data, tmp_path))


def test_skipped_heading_level(build):
    sample = build(heading_skip=True)
    assert codes(sample.data) == {"heading-order"}
    assert any("level is skipped" in p for p in sample.finished.problems)


# -- faults put into the finished PDF ----------------------------------------------------------


def mutate(data: bytes, change: Callable[[pikepdf.Pdf], None]) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def elements(pdf: pikepdf.Pdf, role: str) -> list[pikepdf.Dictionary]:
    found = []
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        items = list(node) if isinstance(node, pikepdf.Array) else [node]
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                if str(item.S) == "/" + role:
                    found.append(item)
                if "/K" in item:
                    stack.append(item.K)
    return found


def append_content(pdf: pikepdf.Pdf, operators: bytes) -> None:
    page = pdf.pages[0]
    font = next(iter(page.Resources.Font.keys()))
    page.contents_add(pdf.make_stream(operators.replace(b"/F", font.encode())), prepend=False)


def _set(obj: Any, key: str, value: Any) -> None:
    obj[key] = value


FAULTS: dict[str, tuple[Callable[[pikepdf.Pdf], None], str]] = {
    "no MarkInfo": (lambda pdf: pdf.Root.__delattr__("MarkInfo"), "mark-info"),
    "Suspects": (lambda pdf: _set(pdf.Root.MarkInfo, "/Suspects", True), "mark-info"),
    "no catalog Lang": (lambda pdf: pdf.Root.__delattr__("Lang"), "lang"),
    "bad catalog Lang": (lambda pdf: _set(pdf.Root, "/Lang", pikepdf.String("en_GB")), "lang"),
    "DisplayDocTitle false": (lambda pdf: _set(pdf.Root.ViewerPreferences, "/DisplayDocTitle", False),
                              "display-doc-title"),
    "no Tabs": (lambda pdf: pdf.pages[1].obj.__delattr__("Tabs"), "tabs"),
    "Producer changed in Info only": (lambda pdf: _set(pdf.docinfo, "/Producer", pikepdf.String("other")), "xmp"),
    "date changed in Info only": (lambda pdf: _set(pdf.docinfo, "/ModDate", pikepdf.String("D:20240101000000Z")),
                                  "xmp"),
    "no pdfuaid": (lambda pdf: _set(pdf.Root, "/Metadata", pdf.make_stream(
        bytes(pdf.Root.Metadata.read_bytes()).replace(b"<pdfuaid:part", b"<pdfuaid:other").replace(
            b"</pdfuaid:part", b"</pdfuaid:other"))), "xmp"),
    "no StructTreeRoot": (lambda pdf: pdf.Root.__delattr__("StructTreeRoot"), "no-structure"),
    "Figure Alt removed": (lambda pdf: elements(pdf, "Figure")[0].__delattr__("Alt"), "figure-alt"),
    "TH Scope removed": (lambda pdf: elements(pdf, "TH")[0].__delattr__("A"), "th-scope"),
    "element /P removed": (lambda pdf: elements(pdf, "H2")[0].__delattr__("P"), "struct-parent-entry"),
    "standard role remapped": (lambda pdf: _set(pdf.Root.StructTreeRoot, "/RoleMap",
                                                pikepdf.Dictionary(P=pikepdf.Name.Span)), "role-map"),
    "unmapped custom role": (lambda pdf: _set(elements(pdf, "H2")[0], "/S", pikepdf.Name("/Heading")), "role-map"),
    "H2 turned into H4": (lambda pdf: _set(elements(pdf, "H2")[0], "/S", pikepdf.Name.H4), "heading-order"),
    "heading emptied": (lambda pdf: elements(pdf, "H2")[0].__delattr__("K"), "heading-empty"),
    "H and Hn mixed": (lambda pdf: _set(elements(pdf, "H2")[0], "/S", pikepdf.Name.H), "heading-kind"),
    "LI in a Table": (lambda pdf: _set(elements(pdf, "TR")[0], "/S", pikepdf.Name.LI), "nesting"),
    "irregular table": (lambda pdf: elements(pdf, "TR")[3].K.append(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.TD, P=elements(pdf, "TR")[3])), "table-irregular"),
    "Note without ID": (lambda pdf: _set(elements(pdf, "Caption")[0], "/S", pikepdf.Name.Note), "note-id"),
    "MCID owned twice": (lambda pdf: _set(elements(pdf, "H2")[0], "/K", elements(pdf, "H1")[0].K), "mcid-twice"),
    "ParentTree entry wrong": (lambda pdf: pdf.Root.StructTreeRoot.ParentTree.Nums[-1].__setitem__(
        0, elements(pdf, "Document")[0]), "parent-tree"),
    "annotation StructParent wrong": (
        lambda pdf: _set(pdf.pages[0].Annots[0], "/StructParent", 999), "parent-tree"),
    "link Contents removed": (lambda pdf: pdf.pages[0].Annots[0].__delattr__("Contents"), "link-contents"),
    "link OBJR removed": (lambda pdf: _set(elements(pdf, "TOCI")[0].K, "/K", 2), "link-annotation"),
    "text outside marked content": (lambda pdf: append_content(pdf, b"BT /F 9 Tf 10 10 Td (x) Tj ET"),
                                    "untagged-content"),
    "a rule outside marked content": (lambda pdf: append_content(pdf, b"0 0 m 10 10 l S"), "untagged-content"),
    "MCID nobody owns": (lambda pdf: append_content(pdf, b"/P <</MCID 99>> BDC BT /F 9 Tf (x) Tj ET EMC"),
                         "mcid-unreferenced"),
    "artifact inside content": (lambda pdf: append_content(
        pdf, b"/P <</MCID 98>> BDC /Artifact BMC 0 0 m 1 1 l S EMC EMC"), "artifact-in-content"),
    "content inside artifact": (lambda pdf: append_content(
        pdf, b"/Artifact BMC /P <</MCID 97>> BDC EMC EMC"), "content-in-artifact"),
    "nested MCIDs": (lambda pdf: append_content(pdf, b"/P <</MCID 96>> BDC /P <</MCID 95>> BDC EMC EMC"),
                     "nested-mcid"),
    "unbalanced EMC": (lambda pdf: append_content(pdf, b"EMC"), "unbalanced"),
    "bad Span Lang": (lambda pdf: append_content(pdf, b"/Artifact BMC /Span <</Lang (en_GB)>> BDC EMC EMC"),
                      "lang"),
    "font not embedded": (lambda pdf: next(iter(pdf.pages[0].Resources.Font.values())).FontDescriptor.__delattr__(
        "FontFile2"), "fonts"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_check_catches_its_fault(conforming, fault):
    change, code = FAULTS[fault]
    assert code not in codes(conforming.data)
    assert code in codes(mutate(conforming.data, change)), fault


def test_pdfua_agrees_on_catalog_faults(conforming, tmp_path):
    broken = mutate(conforming.data, lambda pdf: (pdf.Root.__delattr__("MarkInfo"), pdf.Root.__delattr__("Lang")))
    found = pdfua(broken, tmp_path)
    assert any("UA-01-002" in f for f in found) and any("UA-06-001" in f for f in found)
