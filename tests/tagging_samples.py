"""Synthetic tagged PDFs: reportlab + the text engine + the tagger + finish() (tests of PDF tagging).

:func:`sample` lays out a small briefing the way the PDF writer will: a
structure tree made first (Document > Part > H1, contents TOC, paragraphs with
links and a French phrase, an Arabic paragraph, a list, a table that splits over
two pages with a repeated header row, a figure with its caption, the QR code of
the source, a rule), text set with ``TextFlowable``, furniture (running header,
markings, "Page X of Y" through a form XObject, rules) drawn in ``onPage`` as
artifacts. Options switch in the faults the negative controls need.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from briefpub.fonts import Face, find_family
from briefpub.writers.pdf.tagging import (
    Artifact,
    Finished,
    Marked,
    StructTree,
    StructureTagger,
    TableTagging,
    finish,
)
from briefpub.writers.pdf.typeset import Bookmark, ParaStyle, Run, TextBlock, TextFlowable
from images import png

SOURCE = "https://astanatimes.com/2017/01/astana-hosts-preparatory-syria-peace-talks/"
ARABIC = "عقد الأطراف المشاركون في اجتماع أستانا محادثات تمهيدية في العاصمة الكازاخستانية."
LONG = ("The nationwide ceasefire, which was mediated by Russia, Turkey and Iran, took effect at midnight of "
        "December 30 and was endorsed by the United Nations Security Council on December 31. ")


@dataclass(frozen=True)
class Fonts:
    """The faces the samples use."""

    serif: Face
    serif_bold: Face
    sans: Face
    sans_bold: Face
    arabic: Face
    #: Furniture drawn with the canvas (a face the engine does not use: one file, one font object).
    mono: Face

    def chain(self, *, bold: bool = False) -> tuple[Face, ...]:
        """Serif, then DejaVu Sans and Noto Sans Arabic for what serif lacks."""
        return (self.serif_bold if bold else self.serif, self.sans_bold if bold else self.sans, self.arabic)


@dataclass
class Options:
    """What a sample contains (the defaults: a conforming document)."""

    figure_alt: str | None = "A map of Kazakhstan with Astana marked near its centre."
    untagged_text: bool = False
    untagged_link: bool = False
    heading_skip: bool = False
    table_rows: int = 24
    pagesize: tuple[float, float] = (420.0, 595.0)  # A5


@dataclass
class Sample:
    """A built sample: the tagged PDF, reportlab's untagged bytes, the tree and what finish() said."""

    data: bytes
    raw: bytes
    tree: StructTree
    tagger: StructureTagger
    finished: Finished
    elements: dict[str, Any] = field(default_factory=dict)


def find_fonts() -> Fonts | None:
    """The sample fonts found on this machine (None when one is missing)."""
    found = {name: find_family(name) for name in ("DejaVu Serif", "DejaVu Sans", "Noto Sans Arabic",
                                                   "DejaVu Sans Mono")}
    serif, sans, arabic, mono = (found[n] for n in found)
    if not (serif and sans and arabic and mono):
        return None
    return Fonts(serif.face(False, False), serif.face(True, False), sans.face(False, False),
                 sans.face(True, False), arabic.face(False, False), mono.face(False, False))


def canvas_font(fonts: Fonts) -> str:
    """The registered name of the furniture's font (for ``canvas.setFont``)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "tagging-tests-sans"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, fonts.mono.path, subfontIndex=fonts.mono.index, asciiReadable=1))
    return name


def text(fonts: Fonts, element: Any, *runs: Run | str, size: float = 10.5, style: ParaStyle | None = None,
         bold: bool = False, bookmark: Bookmark | None = None) -> TextFlowable:
    """A paragraph tagged ``element`` (strings become runs in the serif chain)."""
    items = [Run(r, fonts.chain(bold=bold), size) if isinstance(r, str) else r for r in runs]
    return TextFlowable(TextBlock.of(items, style or ParaStyle(size * 1.38, space_after=6, lang="en-GB")),
                        tag=element, bookmark=bookmark)


def sample(fonts: Fonts, options: Options | None = None) -> Sample:
    """Build one sample briefing (see the module docstring)."""
    from reportlab.lib import colors
    from reportlab.platypus import Image, PageBreak, SimpleDocTemplate, Table, TableStyle
    from reportlab.platypus.flowables import HRFlowable

    from briefpub.writers.pdf.flowables import QrCode  # the writer's (reportlab's sets unembedded Helvetica)

    options = options or Options()
    sans = canvas_font(fonts)
    tree = StructTree("en-GB", "Astana talks: a briefing")
    tagger = StructureTagger(tree)
    part = tree.root.add("Part")
    els: dict[str, Any] = {}
    story: list[Any] = []
    chain = fonts.chain()
    body = ParaStyle(14.5, space_after=6, hyphenate="en-GB", lang="en-GB")

    els["h1"] = part.add("H1")
    story.append(text(fonts, els["h1"], "Astana hosts preparatory Syria peace talks", size=18, bold=True,
                      style=ParaStyle(22, space_after=10, balanced=True, lang="en-GB")))
    toc = part.add("TOC")
    els["toci"] = toc.add("TOCI")
    story.append(text(fonts, els["toci"], Run("Background and the ceasefire", chain, 10.5, link="#background")))

    els["p-links"] = part.add("P")
    story.append(text(fonts, els["p-links"],
                      "Parties to the meeting on the Syrian crisis held preliminary talks, reported by ",
                      Run("the Astana Times", chain, 10.5, link=SOURCE, underline=True, colour="#1f4e8c"),
                      ", on the eve of negotiations; the envoy called it ",
                      Run("un premier pas", chain, 10.5, lang="fr"),
                      ". See ", Run("the background", chain, 10.5, link="#background"), " below.",
                      style=body))
    els["p-ar"] = part.add("P", lang="ar")
    story.append(text(fonts, els["p-ar"], ARABIC,
                      style=ParaStyle(14.5, space_after=6, direction="rtl", align="right", lang="ar")))

    # a list: bullets and bodies side by side (the layout table is not a Table element)
    items = part.add("L", list_numbering="Disc")
    rows = []
    for point in ("Talks begin on Monday.", "Russia, Turkey and Iran mediate.", "The ceasefire holds."):
        item = items.add("LI")
        rows.append([text(fonts, item.add("Lbl"), "•"), text(fonts, item.add("LBody"), point)])
    story.append(Table(rows, colWidths=[14, 300], hAlign="LEFT", renderCB=TableTagging(None),
                       style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("FONTNAME", (0, 0), (-1, -1), sans),
                                         ("VALIGN", (0, 0), (-1, -1), "TOP")])))

    heading = "H3" if options.heading_skip else "H2"
    els["h2"] = part.add(heading)
    story.append(text(fonts, els["h2"], "Background", size=13, bold=True,
                      bookmark=Bookmark("background", level=0, title="Background")))
    els["p-long"] = part.add("P")
    story.append(text(fonts, els["p-long"], LONG * 6, style=body))

    # a table with a header row repeated on the next page
    table = part.add("Table")
    els["table"] = table
    header = table.add("TR")
    data: list[list[Any]] = [[text(fonts, header.add("TH", scope="Column"), "Delegation", bold=True),
                              text(fonts, header.add("TH", scope="Column"), "Head", bold=True)]]
    for n in range(options.table_rows):
        row = table.add("TR")
        data.append([text(fonts, row.add("TD"), f"Delegation {n + 1}"),
                     text(fonts, row.add("TD"), f"Envoy number {n + 1}")])
    story.append(Table(data, colWidths=[140, 160], repeatRows=1, hAlign="LEFT", renderCB=TableTagging(table),
                       style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                         ("FONTNAME", (0, 0), (-1, -1), sans),
                                         ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0"))])))

    # a figure and its caption, side by side in a Div
    group = part.add("Div")
    els["figure"] = group.add("Figure", alt=options.figure_alt)
    image = Image(io.BytesIO(png(120, 80)), width=120, height=80)
    story.append(Marked(image, els["figure"]))
    story.append(text(fonts, group.add("Caption"), "The talks' venue.", size=9))

    # the source's QR code
    els["qr"] = part.add("Figure", alt=f"QR code of the source address {SOURCE}")
    story.append(Marked(QrCode(SOURCE, width=60, height=60, qrLevel="M", qrBorder=2), els["qr"]))
    story.append(Artifact(HRFlowable(width="100%", thickness=0.6, color=colors.grey)))
    story.append(PageBreak())
    story.append(Artifact(text(fonts, None, "This page is intentionally left blank."), "Page"))

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.bp_tagger = tagger
        width, height = options.pagesize
        page = canvas.getPageNumber()
        if page == 1:
            canvas.beginForm("total")
            canvas.setFont(sans, 8)
            canvas.drawString(0, 0, "of Y")
            canvas.endForm()
        with tagger.artifact(canvas, "Pagination", "Header"):
            canvas.setFont(sans, 8)
            canvas.drawCentredString(width / 2, height - 20, "OFFICIAL")
            canvas.drawString(40, height - 34, "Astana talks: a briefing")
            canvas.line(40, height - 38, width - 40, height - 38)
        with tagger.artifact(canvas, "Pagination", "Footer"):
            canvas.setFont(sans, 8)
            canvas.drawString(width / 2 - 20, 24, f"Page {page}")
            canvas.saveState()
            canvas.translate(width / 2 + 12, 24)
            canvas.doForm("total")
            canvas.restoreState()
            canvas.drawCentredString(width / 2, 10, "OFFICIAL")
        if options.untagged_text and page == 1:
            canvas.setFont(sans, 8)
            canvas.drawString(40, 40, "stray text")
        if options.untagged_link and page == 1:
            canvas.linkURL("https://example.org/", (40, 50, 120, 60), relative=0)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=options.pagesize, leftMargin=40, rightMargin=40, topMargin=50,
                            bottomMargin=50, invariant=1, initialFontName=sans, title="Astana talks: a briefing",
                            author="briefpub tests", creator="briefpub", producer="briefpub tests (reportlab)",
                            subject="Syria talks", keywords="Syria, Astana", lang="en-GB")
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    raw = buffer.getvalue()
    finished = finish(raw, tagger.recording())
    return Sample(finished.data, raw, tree, tagger, finished, els)


