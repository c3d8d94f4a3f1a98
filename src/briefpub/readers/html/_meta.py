"""Article metadata from a web page's head (reader stage, HTML).

Sources, first found wins for each field: Open Graph and ``article:`` properties,
``<meta name=...>`` (author, date, keywords, Dublin Core, Parse.ly), schema.org
JSON-LD (``NewsArticle``/``Article``...: headline, author, datePublished,
publisher), ``<link rel=canonical>``, ``<html lang>`` and ``<title>`` (with the
site name cut off). JSON-LD is read as data with :func:`json.loads`, with size and
depth limits; nothing in it is executed or fetched. The visible headline, byline
and date inside the article are handled by the converter, which may refine these.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from briefpub._lazyre import lazy_re
from briefpub.dates import parse_date
from briefpub.language import valid_tag
from briefpub.readers.common.bylines import BY, NAME_SEPARATORS
from briefpub.readers.common.compare import comparable
from briefpub.readers.common.links import url_scheme
from briefpub.readers.common.notes import Notes
from briefpub.readers.html._parse import line_of, text_of

_ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "blogposting", "backgroundnewsarticle", "scholarlyarticle", "report", "liveblogposting",
    }
)
_MAX_LD_BYTES = 256 * 1024
_MAX_LD_DEPTH = 12
_TITLE_SEPARATORS = lazy_re(r"\s+(?:\||-|\u2013|\u2014|::|\u00b7|\u2022|/)\s+")
_MARKING_NAMES = ("marking", "classification", "protective-marking", "protective_marking", "security-classification")


def _meta_values(root: etree._Element) -> dict[str, list[str]]:
    """Every ``<meta>`` value by lower-case ``property``/``name``/``itemprop`` (document order)."""
    values: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or ""
        content = " ".join((el.get("content") or "").split())
        if key and content:
            values.setdefault(key.strip().lower(), []).append(content)
    return values


def _first(values: dict[str, list[str]], *keys: str) -> str:
    for key in keys:
        for value in values.get(key, ()):
            if value:
                return value
    return ""


def _json_ld(root: etree._Element, notes: Notes) -> list[dict[str, Any]]:
    """The article-like objects of every JSON-LD block (``@graph`` flattened)."""
    found: list[dict[str, Any]] = []
    for el in root.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = el.text or ""
        if len(raw) > _MAX_LD_BYTES:
            notes.add("reader.metadata", "JSON-LD block too large: ignored", raw[:80], line_of(el), "warning")
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            notes.add("reader.metadata", "JSON-LD block is not valid JSON: ignored", raw[:80], line_of(el), "warning")
            continue
        found.extend(_ld_articles(data, 0))
    return found


def _ld_articles(data: object, depth: int) -> Iterator[dict[str, Any]]:
    if depth > _MAX_LD_DEPTH:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _ld_articles(item, depth + 1)
    elif isinstance(data, dict):
        kind = data.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _ld_articles(graph, depth + 1)


def _ld_names(value: object) -> list[str]:
    """Names from a JSON-LD person/organisation value (string, object or list of them)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:20]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
    return [" ".join(n.split()) for n in names if n.strip()]


def _ld_str(objs: list[dict[str, Any]], key: str) -> str:
    for obj in objs:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _split_title(title: str, site: str) -> str:
    """``"Headline | Site"`` -> ``"Headline"`` (when the site is known or the tail is short)."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site and comparable(parts[-1]) == comparable(site):
        return title[: title.rfind(parts[-1])].rstrip(" |-\u2013\u2014:\u00b7\u2022/")
    if site and comparable(parts[0]) == comparable(site):
        return title[len(parts[0]) :].lstrip(" |-\u2013\u2014:\u00b7\u2022/")
    if len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 3:
        return title[: title.rfind(parts[-1])].rstrip(" |-\u2013\u2014:\u00b7\u2022/")
    return title


def _language(root: etree._Element, values: dict[str, list[str]], lds: list[dict[str, Any]]) -> str:
    candidates = [
        root.get("lang") or "",
        root.get("{http://www.w3.org/XML/1998/namespace}lang") or "",
        root.get("xml:lang") or "",
        _first(values, "content-language", "language", "dc.language"),
        _first(values, "og:locale").replace("_", "-"),
        _ld_str(lds, "inLanguage"),
    ]
    for value in candidates:
        value = value.strip().split(",")[0].strip()
        if value and valid_tag(value):
            return value
    return ""


def _absolute(url: str) -> str:
    url = url.strip()
    return url if url_scheme(url) in ("http", "https") else ""


def page_meta(root: etree._Element, notes: Notes) -> dict[str, Any]:
    """Metadata fields for :class:`briefpub.tree.Meta` found in the page (only those found)."""
    values = _meta_values(root)
    lds = _json_ld(root, notes)
    meta: dict[str, Any] = {}

    site = _first(values, "og:site_name", "application-name", "twitter:site:name")
    if not site:
        for obj in lds:
            names = _ld_names(obj.get("publisher"))
            if names:
                site = names[0]
                break
    if site:
        meta["source"] = site

    title_el = root.find("head/title")
    page_title = text_of(title_el) if title_el is not None else ""
    title = (
        _first(values, "og:title", "twitter:title", "dc.title", "parsely-title", "headline")
        or _ld_str(lds, "headline")
        or _split_title(page_title, site)
    )
    if title:
        meta["title"] = _split_title(title, site)

    authors: list[str] = []
    for key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl"):
        for value in values.get(key, ()):
            if url_scheme(value):  # article:author is often a profile URL
                continue
            value = BY.sub("", value)
            authors.extend(a.strip() for a in NAME_SEPARATORS.split(value) if a.strip())
        if authors:
            break
    if not authors:
        for obj in lds:
            authors = _ld_names(obj.get("author"))
            if authors:
                break
    if authors:
        meta["authors"] = tuple(dict.fromkeys(authors))

    date = _first(
        values, "article:published_time", "og:published_time", "datepublished", "date", "dc.date",
        "dc.date.issued", "dcterms.date", "pubdate", "publishdate", "publish-date", "parsely-pub-date",
        "sailthru.date", "article.published",
    ) or _ld_str(lds, "datePublished")
    if not date:
        for el in root.iter("time"):
            if el.get("pubdate") is not None or (el.get("itemprop") or "").lower() == "datepublished":
                date = el.get("datetime") or text_of(el)
                break
    if date:
        iso = parse_date(date) or ""
        meta["date"] = iso or date
        meta["date_iso"] = iso

    url = ""
    for el in root.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split():
            url = _absolute(el.get("href") or "")
            if url:
                break
    url = url or _absolute(_first(values, "og:url", "twitter:url")) or _absolute(_ld_str(lds, "url"))
    if url:
        meta["url"] = url

    language = _language(root, values, lds)
    if language:
        meta["language"] = language

    keywords: list[str] = []
    for key in ("keywords", "news_keywords", "article:tag", "parsely-tags"):
        for value in values.get(key, ()):
            keywords.extend(k.strip() for k in value.split(",") if k.strip())
    if keywords:
        meta["keywords"] = tuple(dict.fromkeys(keywords))

    marking = _first(values, *_MARKING_NAMES)
    if marking:
        meta["marking"] = marking

    description = _first(values, "description", "og:description", "twitter:description")
    if description:
        meta["extras"] = (("description", description),)
    return meta
