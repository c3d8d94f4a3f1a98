"""The reference article through the tagger: every word in the structure tree, in reading order; pdfua clean."""

from __future__ import annotations

import io
from typing import Any

import pytest

from briefpub.pipeline import prepare_article
from briefpub.tree import Document, Figure, Heading, Paragraph, inline_text
from briefpub.writers.pdf.tagging import HeadingLevels, StructTree, StructureTagger, finish
from briefpub.writers.pdf.typeset import ParaStyle, Run, TextBlock, TextFlowable
from fidelity import assert_faithful
from pdfstructure import assert_tagged
from pdfua_runner import run_pdfua
from shared_data import REFERENCE, require_shared
from tagging_samples import Fonts, canvas_font


@pytest.fixture(scope="module")
def reference(fonts: Fonts) -> tuple[Document, bytes]:
    require_shared(REFERENCE)
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    doc = prepare_article(str(REFERENCE)).document
    tree = StructTree(doc.meta.language or "en", doc.meta.title)
    tagger = StructureTagger(tree)
    article = tree.root.add("Art")
    body = ParaStyle(14.5, space_after=6, hyphenate=tree.lang, lang=tree.lang)

    def para(element: Any, value: str, size: float = 10.5, bold: bool = False,
             style: ParaStyle = body) -> TextFlowable:
        return TextFlowable(TextBlock.of([Run(value, fonts.chain(bold=bold), size)], style), tag=element)

    levels = HeadingLevels()
    story = [para(article.add(levels.role(1)), doc.meta.title, 20, True,
                  ParaStyle(24, space_after=12, balanced=True))]
    for block in doc.blocks:
        match block:
            case Heading(level=level, children=children):
                story.append(para(article.add(levels.role(level)), inline_text(children), 14, True, ParaStyle(18)))
            case Paragraph(children=children):
                story.append(para(article.add("P"), inline_text(children)))
            case Figure(caption=caption):  # no image in the article: its caption stands alone
                story.append(para(article.add("Div").add("Caption"), inline_text(caption), 9))
            case _:
                raise AssertionError(f"the reference article has no {type(block).__name__}")

    furniture = canvas_font(fonts)

    def on_page(canvas: Any, _doc: Any) -> None:
        canvas.bp_tagger = tagger
        with tagger.artifact(canvas, "Pagination", "Footer"):
            canvas.setFont(furniture, 8)
            canvas.drawCentredString(A4[0] / 2, 30, f"Page {canvas.getPageNumber()}")

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1, initialFontName=furniture, title=doc.meta.title,
                      author="briefpub tests", creator="briefpub", producer="briefpub tests").build(
        story, onFirstPage=on_page, onLaterPages=on_page)
    finished = finish(buffer.getvalue(), tagger.recording())
    assert finished.problems == ()
    return doc, finished.data


def test_every_word_reaches_the_structure_tree_in_order(reference):
    doc, data = reference
    report = assert_tagged(data)
    tagged_text = "\n".join(text for _role, text in report.outline())
    assert_faithful(doc, tagged_text)
    roles = [role for role, _t in report.outline()]
    assert roles[:4] == ["Document", "Art", "H1", "Div"]
    assert roles.count("H2") == 1 and roles.count("P") == sum(isinstance(b, Paragraph) for b in doc.blocks)


def test_pdfua_finds_nothing_on_the_reference_article(reference, tmp_path):
    _doc, data = reference
    path = tmp_path / "reference.pdf"
    path.write_bytes(data)
    (result,) = run_pdfua([path]).values()
    assert result.counts == (0, 0, 0), result.findings
