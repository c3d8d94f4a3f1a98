"""The text engine's reportlab font (``briefpub.writers.pdf.typeset.fonts``): widths written as reportlab
writes numbers."""

from __future__ import annotations

import pytest
from reportlab.pdfbase import pdfdoc

from briefpub.writers.pdf.typeset import fonts


@pytest.mark.parametrize("value", [0, 1, 1.0, 250, 277.83203125, 0.5, 1e-9, 600.0000001, 1234.5678, 1000 / 3, -12.5])
def test_a_remembered_width_is_what_reportlab_would_write(value: float) -> None:
    doc = pdfdoc.PDFDocument(invariant=1)
    expected = pdfdoc.format(value, doc)
    assert fonts._number(value) == expected
    assert fonts._number(value) is fonts._number(value)  # remembered
    assert pdfdoc.PDFArray([fonts._number(value)]).format(doc) == pdfdoc.PDFArray([value]).format(doc)
