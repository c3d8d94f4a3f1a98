"""Sample document trees shared by writer tests: every node kind, hostile text, scripts."""

from __future__ import annotations

from pathlib import Path

from briefpub.tree import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListItem,
    Meta,
    OrderedList,
    PackMeta,
    PageBreak,
    Paragraph,
    Publication,
    Span,
    Strong,
    Table,
    TableCell,
    TableRow,
    Text,
    ThematicBreak,
)


def t(s: str) -> Text:
    return Text(s)


def para(s: str) -> Paragraph:
    return Paragraph((Text(s),))


LOREM = (
    "Delegations from the three guarantor countries met in the capital on Saturday to agree "
    "the order of business, the seating plan and the wording of a joint statement that each "
    "side could present at home as a success."
)


def rich_document(*, marking: str = "OFFICIAL", language: str = "en") -> Document:
    """A document using every block and inline kind once."""
    return Document(
        meta=Meta(
            title="Talks Open on Regional Ceasefire",
            subtitle="Delegations meet for the first time in six years",
            authors=("Jane Example", "Ravi Sample"),
            date="23 January 2017",
            date_iso="2017-01-23",
            source="Example News",
            url="https://news.example.org/2017/01/talks-open",
            language=language,
            marking=marking,
            summary=("Talks start on Monday.", "The US sends an observer only."),
            keywords=("diplomacy", "ceasefire"),
        ),
        blocks=(
            Figure(caption=(t("The hotel where the talks are held"),), alt="A hotel lobby"),
            Paragraph(
                (
                    t("Parties met on "),
                    Emphasis((t("Saturday"),)),
                    t(" and "),
                    Strong((t("agreed"),)),
                    t(" an agenda; see "),
                    Link("https://example.org/agenda", (t("the agenda"),)),
                    t(" and "),
                    Code((t("rule_42"),)),
                    t("."),
                    LineBreak(),
                    t("A second line."),
                )
            ),
            Heading(2, (t("Platform for Discussions"),), id="platform"),
            para(LOREM),
            BlockQuote((para("Everything is on the table."),), attribution=(t("A spokesman"),)),
            BulletList((ListItem((para("First point"),)), ListItem((para("Second point"),)))),
            OrderedList((ListItem((para("Step one"),)), ListItem((para("Step two"),))), start=3),
            Table(
                header=(TableRow((TableCell((t("Country"),)), TableCell((t("Delegates"),), align="right"))),),
                rows=(
                    TableRow((TableCell((t("Russia"),)), TableCell((t("12"),), align="right"))),
                    TableRow((TableCell((t("Turkey"),)), TableCell((t("9"),), align="right"))),
                ),
                caption=(t("Delegation sizes"),),
            ),
            ThematicBreak(),
            Heading(3, (t("Next steps"),)),
            para("Talks resume in Geneva on February 8."),
            PageBreak(),
            para("After the page break."),
        ),
    )


def long_document(paragraphs: int = 120) -> Document:
    """A multi-page article with headings every ten paragraphs."""
    blocks: list[object] = []
    for i in range(paragraphs):
        if i % 10 == 0:
            blocks.append(Heading(2, (t(f"Section {i // 10 + 1}"),)))
        blocks.append(para(f"Paragraph {i + 1}. {LOREM}"))
    return Document(meta=Meta(title="A Long Article", marking="OFFICIAL-SENSITIVE"), blocks=tuple(blocks))  # type: ignore[arg-type]


HOSTILE_TEXT = (
    "a <b & c </para> <font name=x> <script>alert(1)</script> ]]> &amp; \"q\" 'a' "
    "javascript:alert(1)"
)


def hostile_document() -> Document:
    """Markup-like text, unsafe links, a huge word and long URL."""
    return Document(
        meta=Meta(title="<b>Title</b> & </para>", authors=("<i>x</i>",), url="javascript:alert(1)"),
        blocks=(
            para(HOSTILE_TEXT),
            Paragraph((Link("javascript:alert(1)", (t("click me"),)), t(" and "),
                       Link("data:text/html,hi", (t("data"),)))),
            para("x" * 3000),
            para("https://example.org/" + "very-long-path-segment/" * 20),
            Heading(1, (t("<h1>not a tag</h1>"),)),
        ),
    )


def scripts_document() -> Document:
    """Cyrillic, Greek, Arabic, Hebrew, CJK and emoji."""
    return Document(
        meta=Meta(title="Names in many scripts", language="en"),
        blocks=(
            para("Russian envoy Александр Лаврентьев met Greek minister Νίκος Δένδιας."),
            para("Arabic: وزير الخارجية السوري وليد المعلم"),
            para("Hebrew: שר החוץ הישראלי"),
            para("Chinese: 外交部发言人 and Japanese: 外務大臣 and Korean: 외교부 장관"),
            para("Emoji: 🕊️ peace"),
        ),
    )


def arabic_document() -> Document:
    """A right-to-left article."""
    return Document(
        meta=Meta(title="محادثات السلام في أستانا", language="ar"),
        blocks=(
            para("بدأت المحادثات التمهيدية في العاصمة الكازاخستانية يوم الأحد."),
            para("وصل الوفد الحكومي السوري برئاسة بشار الجعفري."),
        ),
    )


def single(doc: Document) -> Publication:
    return Publication((doc,))


def pack(docs: list[Document], **kw: object) -> Publication:
    return Publication(tuple(docs), PackMeta(title="Morning Briefing Pack", **kw))  # type: ignore[arg-type]


def image_bytes(fmt: str, size: tuple[int, int] = (64, 40), colour: str = "#1f4e8c") -> bytes:
    """A small deterministic image in Pillow format ``fmt`` (PNG, JPEG, GIF, WEBP...) for figure tests."""
    import io

    from PIL import Image

    img = Image.new("RGB", size, colour)
    for x in range(0, size[0], 8):  # a stripe pattern, so the image is not a flat colour
        for y in range(size[1]):
            img.putpixel((x, y), (255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def figure_resources() -> dict[str, bytes]:
    """Image bytes for :func:`figures_document`, keyed as its figures name them."""
    return {
        "photo.png": image_bytes("PNG"),
        "photo.jpg": image_bytes("JPEG", colour="#b00020"),
        "chart.gif": image_bytes("GIF", colour="#10243e"),
        "map.webp": image_bytes("WEBP", colour="#33475b"),
        "broken.png": b"\x89PNG\r\n\x1a\nthis is not really a png",
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    }


def figures_document() -> Document:
    """Figures with images (PNG, JPEG, GIF, WebP), a broken one, an SVG, a missing one, no alt text."""
    return Document(
        meta=Meta(title="Figures and Images", language="en", marking="OFFICIAL"),
        blocks=(
            Figure(caption=(t("A photo in PNG"),), image="photo.png", alt="Delegates around a table"),
            Figure(caption=(t("A photo in JPEG"),), image="photo.jpg", alt="The hotel entrance"),
            Figure(caption=(t("A chart in "), Emphasis((t("GIF"),))), image="chart.gif"),
            Figure(caption=(), image="map.webp", alt="A map of the region"),
            Figure(caption=(t("A broken image keeps its caption"),), image="broken.png", alt="Broken"),
            Figure(caption=(t("An SVG with a script is refused"),), image="drawing.svg", alt="Drawing"),
            Figure(caption=(t("A missing image keeps its caption"),), image="missing.png", alt="Gone"),
            Figure(caption=(t("The same PNG again"),), image="photo.png", alt="Delegates again"),
            para("Text after the figures."),
        ),
    )


def images_everywhere_resources() -> dict[str, bytes]:
    """Image bytes for :func:`images_everywhere_document`."""
    return {
        "list.png": image_bytes("PNG", colour="#1f4e8c"),
        "quote.jpg": image_bytes("JPEG", colour="#b00020"),
        "flag.png": image_bytes("PNG", (24, 16), colour="#10243e"),
        "icon.gif": image_bytes("GIF", (12, 12), colour="#33475b"),
    }


def images_everywhere_document() -> Document:
    """Images in a list item, a block quote, a table cell and a paragraph; ``#fragment`` links to two headings
    with the same text; a French and an Arabic span. Prepared by the transforms (ids, link targets)."""
    from briefpub.transforms import prepare
    from briefpub.tree import Image, Span

    return prepare(Document(
        meta=Meta(title="Images everywhere", language="en"),
        blocks=(
            Paragraph((t("See "), Link("#background", (t("the first background"),)), t(" and "),
                       Link("#background-1", (t("the second"),)), t(", "), Span((t("s\u2019il vous pla\u00eet"),),
                                                                                 lang="fr"),
                       t(" and "), Span((t("\u0634\u0643\u0631\u0627"),), lang="ar"), t("."))),
            Heading(2, (t("Background"),)),
            BulletList((ListItem((para("A list item with a photo:"),
                                  Figure((t("The photo in a list"),), image="list.png", alt="Delegates in a hall"))),)),
            BlockQuote((para("A quote with an image:"),
                        Figure((t("The photo in a quote"),), image="quote.jpg", alt="A hotel entrance"))),
            Table(header=(TableRow((TableCell((t("Flag"),)), TableCell((t("Country"),)))),),
                  rows=(TableRow((TableCell((Image("flag.png", alt="Blue flag"),)), TableCell((t("Blueland"),)))),)),
            Heading(2, (t("Background"),)),
            Paragraph((t("Text with an inline "), Image("icon.gif", alt="info icon"), t(" image."))),
        ),
    ))


def print_pages(pub: Publication, front: int = 2, per_article: int = 3) -> tuple[object, ...]:
    """Page starts as the PDF writer reports them (``WriteResult.pages``): ``front`` front-matter pages, then
    for each article a page starting at its title block and ``per_article - 1`` pages starting inside it."""
    from briefpub.tree import enumerate_blocks
    from briefpub.writers import PageStart

    pages = [PageStart(n, str(n)) for n in range(1, front + 1)]
    for index, doc in enumerate(pub.documents):
        paths = [path for path, _ in enumerate_blocks(doc.blocks)]
        pages.append(PageStart(len(pages) + 1, str(len(pages) + 1), index, None))
        for k in range(1, per_article):
            if paths:
                path = paths[k * len(paths) // per_article]
                pages.append(PageStart(len(pages) + 1, str(len(pages) + 1), index, path))
    return tuple(pages)


# ----------------------------------------------------------------------------- packs (writer pack tests)

_OUTLETS = ("Example News", "The Daily Sample", "Agence Exemple", "Wire Service")
_PACK_SECTIONS = ("Background", "Analysis", "Outlook")


def pack_article(n: int) -> Document:
    """Generated article ``n`` of a pack: articles share heading texts and heading ids on purpose.

    Every article has "Background" (tree id ``background``), "Analysis" and "Outlook" headings, so
    a writer must make anchors unique across the pack; every fourth one skips a heading level
    (H2 then H4); every third one has key points; every fifth one carries OFFICIAL-SENSITIVE
    (so it differs from a pack marked OFFICIAL); every seventh one is in French.
    """
    blocks: list[Block] = [para(f"Article {n} opens. {LOREM}")]
    for k, section in enumerate(_PACK_SECTIONS):
        level = 4 if (n % 4 == 0 and k == 2) else 2
        blocks.append(Heading(level, (t(section),), id="background" if k == 0 else ""))
        blocks.append(para(f"{section} of article {n}, part one. {LOREM}"))
        blocks.append(Paragraph((t(f"Part two of {section.lower()} in article {n} with "), Emphasis((t("stress"),)),
                                 t(" and "), Link(f"https://example.org/{n}/{k}", (t("a source"),)), t("."))))
    if n % 6 == 0:
        blocks.append(Heading(3, (t("Details"),)))
        blocks.append(BulletList((ListItem((para(f"Detail one of {n}"),)), ListItem((para(f"Detail two of {n}"),)))))
    return Document(
        meta=Meta(
            title=f"Pack article {n}: {('Ceasefire', 'Trade', 'Elections', 'Energy')[n % 4]} update",
            authors=(f"Reporter {n}",) if n % 2 else (f"Reporter {n}", "Desk Editor"),
            date=f"{n % 28 + 1} February 2017",
            date_iso=f"2017-02-{n % 28 + 1:02d}",
            source=_OUTLETS[n % len(_OUTLETS)],
            url=f"https://news.example.org/2017/02/article-{n}",
            retrieved="2017-03-01" if n % 2 else "",
            language="fr" if n % 7 == 0 else "en",
            marking="OFFICIAL-SENSITIVE" if n % 5 == 0 else "",
            summary=(f"Key point one of article {n}.", f"Key point two of article {n}.") if n % 3 == 0 else (),
            keywords=("briefing", f"topic-{n % 4}"),
        ),
        blocks=tuple(blocks),
    )


def briefing_pack(count: int = 32, *, summary_page: bool = True) -> Publication:
    """A large pack: the rich, long, scripts, Arabic, hostile, figures and empty samples, then
    generated articles (:func:`pack_article`) up to ``count`` articles. Use with :func:`figure_resources`."""
    docs = [
        rich_document(marking="OFFICIAL-SENSITIVE"),
        long_document(),
        scripts_document(),
        arabic_document(),
        hostile_document(),
        figures_document(),
        Document(),
    ]
    docs += [pack_article(n) for n in range(1, count - len(docs) + 1)]
    return Publication(
        tuple(docs[:count]),
        PackMeta(
            title="Morning Briefing Pack",
            subtitle="Regional talks, trade and energy",
            date="24 January 2017",
            compiled_by="Desk Officer",
            reference="BP/2017/014",
            version="3",
            marking="OFFICIAL",
            language="en",
            summary_page=summary_page,
        ),
    )


def rtl_pack() -> Publication:
    """A right-to-left pack (Arabic) that also holds a hostile article and English articles."""
    arabic_with_points = Document(
        meta=Meta(
            title="الوفود تصل إلى أستانا",
            authors=("مراسل",),
            source="وكالة مثال",
            language="ar",
            summary=("بدأت المحادثات يوم الأحد.", "الوفد الأمريكي مراقب فقط."),
        ),
        blocks=(Heading(2, (t("خلفية"),)), para("وصل الوفد الحكومي السوري برئاسة بشار الجعفري.")),
    )
    return Publication(
        (arabic_document(), arabic_with_points, hostile_document(), rich_document(), pack_article(5)),
        PackMeta(
            title="ملف الإحاطة الصباحية",
            subtitle="محادثات أستانا",
            date="2017-01-24",
            compiled_by="مكتب الشرق الأوسط",
            reference="ME/7",
            version="1",
            marking="OFFICIAL",
            language="ar",
            summary_page=True,
        ),
    )


# ----------------------------------------------------------------------------- tree outlines (reader tests)


def outline_inlines(nodes: tuple[Inline, ...]) -> str:
    """A compact Markdown-like form of inlines: *em*, **strong**, `code`, [text](url), ⏎ for a break,
    ![alt](src "title") for an inline image, [text]{lang=xx} for a language span."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Emphasis):
            out.append(f"*{outline_inlines(node.children)}*")
        elif isinstance(node, Strong):
            out.append(f"**{outline_inlines(node.children)}**")
        elif isinstance(node, Code):
            out.append(f"`{node.text}`")
        elif isinstance(node, Link):
            title = f' "{node.title}"' if node.title else ""
            out.append(f"[{outline_inlines(node.children)}]({node.url}{title})")
        elif isinstance(node, LineBreak):
            out.append("\u23ce")
        elif isinstance(node, Image):
            title = f' "{node.title}"' if node.title else ""
            out.append(f"![{node.alt}]({node.src}{title})")
        elif isinstance(node, Span):
            out.append(f"[{outline_inlines(node.children)}]{{lang={node.lang}}}")
    return "".join(out)


def outline_blocks(blocks: tuple[Block, ...], indent: int = 0) -> list[str]:
    """One line per block (nested blocks indented), for readable reader expectations; a heading's
    id, when set, follows it as ``{#id}``."""
    pad = " " * indent
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            ident = f" {{#{block.id}}}" if block.id else ""
            lines.append(f"{pad}H{block.level}: {outline_inlines(block.children)}{ident}")
        elif isinstance(block, Paragraph):
            lines.append(f"{pad}P: {outline_inlines(block.children)}")
        elif isinstance(block, Figure):
            image = f" [{block.image}]" if block.image else ""
            alt = f" {{{block.alt}}}" if block.alt else ""
            caption = f": {outline_inlines(block.caption)}" if block.caption else ""
            lines.append(f"{pad}FIG{image}{alt}{caption}")
        elif isinstance(block, BlockQuote):
            lines.append(f"{pad}Q:")
            lines.extend(outline_blocks(block.blocks, indent + 2))
            if block.attribution:
                lines.append(f"{pad}  \u2014 {outline_inlines(block.attribution)}")
        elif isinstance(block, BulletList | OrderedList):
            start = f"({block.start})" if isinstance(block, OrderedList) else ""
            lines.append(f"{pad}{'OL' if isinstance(block, OrderedList) else 'UL'}{start}:")
            for item in block.items:
                inner = outline_blocks(item.blocks, indent + 4)
                if inner:
                    lines.append(f"{pad}  - {inner[0].strip()}")
                    lines.extend(inner[1:])
                else:
                    lines.append(f"{pad}  -")
        elif isinstance(block, Table):
            lines.append(f"{pad}TABLE:")
            if block.caption:
                lines.append(f"{pad}  CAPTION: {outline_inlines(block.caption)}")
            for kind, rows in (("TH", block.header), ("TR", block.rows)):
                for row in rows:
                    cells = " | ".join(
                        outline_inlines(c.children) + (f"{{{c.align}}}" if c.align else "") for c in row.cells
                    )
                    lines.append(f"{pad}  {kind}: {cells}")
        elif isinstance(block, ThematicBreak):
            lines.append(f"{pad}HR")
        elif isinstance(block, PageBreak):
            lines.append(f"{pad}PAGEBREAK")
    return lines


def outline(doc: Document) -> str:
    """Non-empty metadata fields (``META key: value``) then :func:`outline_blocks`."""
    lines: list[str] = []
    m = doc.meta
    for name in ("title", "subtitle", "authors", "date", "date_iso", "source", "url", "language", "marking",
                 "summary", "keywords", "retrieved", "extras"):
        value = getattr(m, name)
        if not value:
            continue
        if name == "extras":
            text = " | ".join(f"{k}={v}" for k, v in value)
        elif isinstance(value, tuple):
            text = " | ".join(value)
        else:
            text = value
        lines.append(f"META {name}: {text}")
    lines.extend(outline_blocks(doc.blocks))
    return "\n".join(lines)


def load_reader_cases(path: Path) -> list[tuple[str, str, str, list[str]]]:
    """Cases of a reader fixture file: (title, input, expected outline, diagnostic checks).

    Format (markdown-it-py style): ``### title``, ``.``, input lines, ``.``,
    expected :func:`outline` lines, ``.``. Expected lines starting with ``! code``
    name a diagnostic code that must be reported; ``!no code`` one that must not.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("### "):
            i += 1
            continue
        title = lines[i][4:].strip()
        if lines[i + 1] != ".":
            raise ValueError(f"{path.name}: case {title!r} must open with '.'")
        j = i + 2
        source: list[str] = []
        while lines[j] != ".":
            source.append(lines[j])
            j += 1
        j += 1
        expected: list[str] = []
        while lines[j] != ".":
            expected.append(lines[j])
            j += 1
        checks = [e for e in expected if e.startswith("!")]
        body = [e for e in expected if not e.startswith("!")]
        cases.append((title, "\n".join(source) + "\n", "\n".join(body), checks))
        i = j + 1
    return cases


def check_diagnostic_codes(codes: list[str], checks: list[str]) -> None:
    """Assert ``! code`` checks are among ``codes`` and ``!no code`` checks are not."""
    for check in checks:
        if check.startswith("!no "):
            assert check[4:].strip() not in codes, f"unexpected {check[4:]}: {codes}"
        else:
            assert check[1:].strip() in codes, f"missing {check[1:]}: {codes}"
