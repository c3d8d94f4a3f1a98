"""The words a publication prints around the article, per language (writers' shared layer).

Every label a writer prints ("Contents", "Key points", "Page 3 of 12", "Source",
the byline's "By", the cover's "Compiled by", the blank-page note...) comes from
one small catalogue, chosen by the article's or the pack's language, so a German
article gets "Kernpunkte" and "Seite 3 von 12" in every format. Dates are
formatted here too, one way per language (``1 December 2026``,
``1. Dezember 2026``, ``1er décembre 2026``, ``2026年12月1日``).

Languages: English (the fallback), German, French, Spanish, Russian, Arabic and
Chinese. A style sheet value set explicitly (``boxes.title``, ``furniture.footer``)
wins over the catalogue.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from briefpub.language import primary_subtag

__all__ = ["CATALOGUE", "Labels", "format_iso_date", "labels_for"]


@dataclass(frozen=True, slots=True)
class Labels:
    """One language's labels. Templates use ``{names}``, ``{page}``, ``{pages}``, ``{number}``, ``{count}``."""

    language: str
    contents: str
    key_points: str
    page_of: str
    source: str
    by: str
    author: str
    published: str
    link: str
    retrieved: str
    date: str
    reference: str
    version: str
    compiled_by: str
    untitled: str
    blank_page: str
    no_key_points: str
    opening: str
    photo: str
    end_of_pack: str
    article_of: str
    figure: str
    table: str
    cover: str
    pages: str
    list_separator: str
    last_separator: str
    months: tuple[str, ...]
    date_pattern: str  # {day} {month} {year} {m} (month number)
    #: The alternative text of a QR code of the source address (``{url}``); the PDF's attribution has one.
    qr_code: str = "QR code linking to {url}"

    def page_footer(self, page: int | str, pages: int | str) -> str:
        """``Page 3 of 12`` in this language."""
        return self.page_of.format(page=page, pages=pages)

    def byline(self, names: Sequence[str]) -> str:
        """``By A, B and C`` in this language (``""`` for no names)."""
        return self.by.format(names=self.join(names)) if names else ""

    def join(self, names: Sequence[str]) -> str:
        """Names joined as a list: ``A, B and C``."""
        names = [n for n in names if n]
        if len(names) <= 1:
            return "".join(names)
        return self.list_separator.join(names[:-1]) + self.last_separator + names[-1]

    def article_number(self, number: int, count: int) -> str:
        """``Article 3 of 12``."""
        return self.article_of.format(number=number, count=count)

    def format_date(self, value: _dt.date) -> str:
        """A date the way this language writes it in running text."""
        day = str(value.day)
        if self.language == "fr" and value.day == 1:
            day = "1er"
        return self.date_pattern.format(day=day, month=self.months[value.month - 1], year=value.year,
                                        m=value.month)


_EN = Labels(
    language="en", contents="Contents", key_points="Key points", page_of="Page {page} of {pages}",
    source="Source", by="By {names}", author="Author", published="Published", link="Link",
    retrieved="Retrieved", date="Date", reference="Reference", version="Version", compiled_by="Compiled by",
    untitled="Untitled", blank_page="This page is intentionally left blank",
    no_key_points="No key points were given for this article.", opening="Opening sentence",
    photo="Photo", end_of_pack="End of briefing pack", article_of="Article {number} of {count}",
    figure="Figure", table="Table", cover="Cover", pages="Pages", list_separator=", ", last_separator=" and ",
    months=("January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"),
    date_pattern="{day} {month} {year}",
)

CATALOGUE: dict[str, Labels] = {
    "en": _EN,
    "de": Labels(
        language="de", contents="Inhalt", key_points="Kernpunkte", page_of="Seite {page} von {pages}",
        source="Quelle", by="Von {names}", author="Autor", published="Veröffentlicht", link="Link",
        retrieved="Abgerufen", date="Datum", reference="Referenz", version="Version",
        compiled_by="Zusammengestellt von", untitled="Ohne Titel",
        blank_page="Diese Seite bleibt absichtlich leer",
        no_key_points="Für diesen Artikel wurden keine Kernpunkte angegeben.", opening="Erster Satz",
        photo="Foto", end_of_pack="Ende der Briefingmappe", article_of="Artikel {number} von {count}",
        figure="Abbildung", table="Tabelle", cover="Deckblatt", pages="Seiten", list_separator=", ",
        last_separator=" und ",
        months=("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                "Oktober", "November", "Dezember"),
        date_pattern="{day}. {month} {year}",
        qr_code="QR-Code mit einem Link zu {url}",
    ),
    "fr": Labels(
        language="fr", contents="Sommaire", key_points="Points clés", page_of="Page {page} sur {pages}",
        source="Source", by="Par {names}", author="Auteur", published="Publié le", link="Lien",
        retrieved="Consulté le", date="Date", reference="Référence", version="Version",
        compiled_by="Compilé par", untitled="Sans titre",
        blank_page="Page laissée blanche intentionnellement",
        no_key_points="Aucun point clé n’a été indiqué pour cet article.", opening="Première phrase",
        photo="Photo", end_of_pack="Fin du dossier", article_of="Article {number} sur {count}",
        figure="Figure", table="Tableau", cover="Couverture", pages="Pages", list_separator=", ",
        last_separator=" et ",
        months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                "octobre", "novembre", "décembre"),
        date_pattern="{day} {month} {year}",
        qr_code="Code QR menant à {url}",
    ),
    "es": Labels(
        language="es", contents="Índice", key_points="Puntos clave", page_of="Página {page} de {pages}",
        source="Fuente", by="Por {names}", author="Autor", published="Publicado", link="Enlace",
        retrieved="Consultado", date="Fecha", reference="Referencia", version="Versión",
        compiled_by="Compilado por", untitled="Sin título",
        blank_page="Página dejada en blanco intencionadamente",
        no_key_points="No se indicaron puntos clave para este artículo.", opening="Primera frase",
        photo="Foto", end_of_pack="Fin del dosier", article_of="Artículo {number} de {count}",
        figure="Figura", table="Tabla", cover="Portada", pages="Páginas", list_separator=", ",
        last_separator=" y ",
        months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                "octubre", "noviembre", "diciembre"),
        date_pattern="{day} de {month} de {year}",
        qr_code="Código QR que enlaza a {url}",
    ),
    "ru": Labels(
        language="ru", contents="Содержание", key_points="Ключевые моменты",
        page_of="Страница {page} из {pages}", source="Источник", by="Автор: {names}", author="Автор",
        published="Опубликовано", link="Ссылка", retrieved="Дата обращения", date="Дата", reference="Номер",
        version="Версия", compiled_by="Составитель", untitled="Без названия",
        blank_page="Эта страница намеренно оставлена пустой",
        no_key_points="Для этой статьи ключевые моменты не указаны.", opening="Первая фраза",
        photo="Фото", end_of_pack="Конец подборки", article_of="Статья {number} из {count}",
        figure="Рисунок", table="Таблица", cover="Обложка", pages="Страницы", list_separator=", ",
        last_separator=" и ",
        months=("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                "октября", "ноября", "декабря"),
        date_pattern="{day} {month} {year} г.",
        qr_code="QR-код со ссылкой на {url}",
    ),
    "ar": Labels(
        language="ar", contents="المحتويات", key_points="النقاط الرئيسية", page_of="الصفحة {page} من {pages}",
        source="المصدر", by="بقلم {names}", author="الكاتب", published="تاريخ النشر", link="الرابط",
        retrieved="تاريخ الاسترجاع", date="التاريخ", reference="المرجع", version="الإصدار",
        compiled_by="إعداد", untitled="بدون عنوان", blank_page="تُركت هذه الصفحة فارغة عمدًا",
        no_key_points="لم تُحدَّد نقاط رئيسية لهذه المقالة.", opening="الجملة الأولى",
        photo="صورة", end_of_pack="نهاية الملف", article_of="المقالة {number} من {count}",
        figure="شكل", table="جدول", cover="الغلاف", pages="الصفحات", list_separator="، ",
        last_separator=" و",
        months=("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                "أكتوبر", "نوفمبر", "ديسمبر"),
        date_pattern="{day} {month} {year}",
        qr_code="رمز QR يؤدي إلى {url}",
    ),
    "zh": Labels(
        language="zh", contents="目录", key_points="要点", page_of="第 {page} 页，共 {pages} 页",
        source="来源", by="作者：{names}", author="作者", published="发布日期", link="链接",
        retrieved="检索日期", date="日期", reference="编号", version="版本", compiled_by="编制",
        untitled="无标题", blank_page="此页有意留白", no_key_points="本文未提供要点。", opening="首句",
        photo="图片", end_of_pack="简报完", article_of="第 {number} 篇，共 {count} 篇",
        figure="图", table="表", cover="封面", pages="页码", list_separator="、", last_separator="和",
        months=tuple(f"{m}月" for m in range(1, 13)),
        date_pattern="{year}年{m}月{day}日",
        qr_code="指向 {url} 的二维码",
    ),
}


def labels_for(language: str) -> Labels:
    """The labels for a BCP 47 language (its primary subtag), English when it has none of its own."""
    return CATALOGUE.get(primary_subtag(language), _EN)


def format_iso_date(iso: str, language: str) -> str:
    """``YYYY-MM-DD`` (or a longer ISO date-time) in ``language``'s way, or ``""`` when it does not parse."""
    try:
        value = _dt.date.fromisoformat(iso.strip()[:10])
    except ValueError:
        return ""
    return labels_for(language).format_date(value)
