"""Right-to-left and mixed-direction articles as they arrive in briefings (PDF writer tests).

Wire copy quotes Arabic and Hebrew names inside English sentences, often with the
name in brackets and sometimes marked with its language (``Span(lang=...)``) by
the source's HTML; Arabic copy quotes English names and agencies. Each sample is
a document tree; :func:`rtl_pack` puts them in a right-to-left pack with the
shared samples' Arabic article.
"""

from __future__ import annotations

from briefpub.tree import (
    BlockQuote,
    BulletList,
    Document,
    Heading,
    Link,
    ListItem,
    Meta,
    PackMeta,
    Paragraph,
    Publication,
    Span,
    Table,
    TableCell,
    TableRow,
    Text,
)

ARABIC_NAME = "وليد المعلم"
HEBREW_NAME = "בנימין נתניהו"


def _p(*parts: str | Span | Link) -> Paragraph:
    return Paragraph(tuple(Text(p) if isinstance(p, str) else p for p in parts))


def english_with_arabic_name() -> Document:
    """An English wire story quoting Arabic names: marked as Arabic in one place, unmarked in others."""
    return Document(
        meta=Meta(
            title="Syria's foreign minister sets out terms for Astana talks",
            authors=("Wire staff",),
            date="22 January 2017",
            source="Wire Service",
            url="https://wire.example.org/2017/01/22/syria-terms",
            language="en",
        ),
        blocks=(
            _p("DAMASCUS, Jan. 22 \u2014 Syria's foreign minister, Walid al-Muallem (",
               Span((Text(ARABIC_NAME),), lang="ar"),
               "), said on Sunday that the talks in Astana would deal with the ceasefire first."),
            _p("Al-Muallem told the state news agency SANA (\u0633\u0627\u0646\u0627) that the government "
               "delegation would be led by Bashar al-Jaafari (\u0628\u0634\u0627\u0631 \u0627\u0644\u062c\u0639\u0641"
               "\u0631\u064a), the ambassador to the United Nations."),
            _p("\u201c", Span((Text("\u0646\u062d\u0646 \u0645\u0633\u062a\u0639\u062f\u0648\u0646 \u0644\u0644\u062d"
                                    "\u0648\u0627\u0631"),), lang="ar"),
               ",\u201d he said: we are ready for dialogue."),
        ),
    )


def english_with_hebrew_name() -> Document:
    """An English story with a Hebrew name and a Hebrew office name in brackets."""
    return Document(
        meta=Meta(title="Israel was not invited to Astana", source="Example News", language="en"),
        blocks=(
            _p("Israeli Prime Minister Benjamin Netanyahu (", Span((Text(HEBREW_NAME),), lang="he"),
               ") was not invited to the talks; his office (\u05dc\u05e9\u05db\u05ea \u05e8\u05d0\u05e9 "
               "\u05d4\u05de\u05de\u05e9\u05dc\u05d4) declined to comment on Monday."),
        ),
    )


def arabic_with_english() -> Document:
    """An Arabic article quoting English names, an agency and a link, with a heading, a list and a table."""
    return Document(
        meta=Meta(
            title="لافروف: محادثات أستانا تبدأ في 23 يناير",
            authors=("مراسل الشؤون الدولية",),
            source="وكالة مثال",
            url="https://ar.example.org/2017/01/lavrov",
            language="ar",
            summary=("المحادثات تبدأ يوم الاثنين.", "الولايات المتحدة مدعوة بصفة مراقب (Observer)."),
        ),
        blocks=(
            _p("وقال وزير الخارجية الروسي ", Span((Text("Sergey Lavrov"),), lang="en"),
               " (سيرغي لافروف) لوكالة TASS إن المحادثات ستبدأ يوم 23 يناير/كانون الثاني."),
            Heading(2, (Text("الوفود المشاركة"),)),
            _p("وأضاف أن الوفد الحكومي يرأسه بشار الجعفري، وأن المعارضة يمثلها محمد علوش (Mohammed Alloush)، "
               "بحسب ", Link("https://ar.example.org/astana", (Text("التقرير الكامل"),)), "."),
            BulletList((ListItem((_p("روسيا وتركيا وإيران (الدول الضامنة)"),)),
                        ListItem((_p("الأمم المتحدة: Staffan de Mistura"),)))),
            Table(
                header=(TableRow((TableCell((Text("الوفد"),)), TableCell((Text("العدد"),)))),),
                rows=(TableRow((TableCell((Text("الحكومة"),)), TableCell((Text("12"),)))),
                      TableRow((TableCell((Text("المعارضة"),)), TableCell((Text("9"),))))),
                caption=(Text("حجم الوفود (تقديرات)"),),
            ),
            BlockQuote((_p("نحن هنا من أجل السلام."),), attribution=(Text("متحدث باسم الوفد"),)),
        ),
    )


def samples() -> dict[str, Document]:
    """Every sample by name."""
    return {
        "english-arabic-name": english_with_arabic_name(),
        "english-hebrew-name": english_with_hebrew_name(),
        "arabic-with-english": arabic_with_english(),
    }


def rtl_pack(arabic: Document) -> Publication:
    """A right-to-left (Arabic) pack: ``arabic`` (the shared samples' Arabic article), the samples here."""
    return Publication(
        (arabic, arabic_with_english(), english_with_arabic_name(), english_with_hebrew_name()),
        PackMeta(title="ملف الإحاطة: أستانا", subtitle="أسماء ولغات", date="2017-01-24", reference="ME/8",
                 version="1", compiled_by="مكتب الشرق الأوسط", marking="OFFICIAL", language="ar",
                 summary_page=True),
    )
