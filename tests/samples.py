"""Sample document trees shared by writer tests: every node kind, hostile text, scripts."""

from __future__ import annotations

from briefpub.tree import (
    BlockQuote,
    BulletList,
    Code,
    Document,
    Emphasis,
    Figure,
    Heading,
    LineBreak,
    Link,
    ListItem,
    Meta,
    OrderedList,
    PackMeta,
    PageBreak,
    Paragraph,
    Publication,
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
