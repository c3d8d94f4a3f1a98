"""Main-content extraction: find the article in a news page, drop the site boilerplate (reader stage, HTML).

The heuristic (chosen over trafilatura and readability-lxml by measurement, see
``docs/markdown-and-html.md``) works on the neutralised lxml tree:

1. hidden elements (``hidden``, ``aria-hidden``, ``display:none``) go;
2. elements are *classified* as boilerplate by tag (``nav``, ``aside``,
   ``footer``...), ARIA role and the words of their ``class``/``id``
   (``cookie-banner``, ``most-read``, ``ad-slot``, ``comments``...);
3. the container is the best semantic candidate (``<article>``,
   ``itemprop=articleBody``, ``<main>``, ``role=main``, "article-body"-like
   classes) that holds most of the page's paragraph text outside boilerplate;
   failing that, the element whose paragraphs carry the most text (a
   readability-style score);
4. everything outside the container is dropped, and so is classified
   boilerplate inside it, except an element that holds most of the article.

Every drop is reported as ``reader.boilerplate-removed`` with what kind of
boilerplate it was and the start of its text. (Boilerplate is the site's text
around the article, not a writer's page furniture.)
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from lxml import etree

from briefpub.readers.common.notes import Notes
from briefpub.readers.html._parse import line_of, remove, text_of

_WORD_SPLIT = re.compile(r"[-_\s:.]+|(?<=[a-z])(?=[A-Z])")

# (kind, words matched against class/id components, whole tokens matched)
_KINDS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    (
        "cookie banner",
        frozenset({"cookie", "cookies", "consent", "gdpr", "cmp", "cookiebanner"}),
        frozenset({"onetrust", "cookielaw"}),
    ),
    (
        "advertising",
        frozenset(
            {
                "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adslot", "adunit",
                "dfp", "sponsor", "sponsored", "promo", "promoted", "outbrain", "taboola", "commercial",
                "billboard", "leaderboard", "mpu",
            }
        ),
        frozenset({"adsbygoogle", "googleads"}),
    ),
    (
        "comments",
        frozenset({"comment", "comments", "disqus", "respond", "replies", "commentlist", "cmt", "cmts"}),
        frozenset(),
    ),
    (
        "most-read list",
        frozenset({"mostread", "mostpopular", "mostviewed", "mostshared", "popular", "trending"}),
        frozenset(),
    ),
    ("related links", frozenset({"related", "recommended", "recirc", "recirculation", "readmore", "morestories"}),
     frozenset()),
    (
        "newsletter sign-up",
        frozenset({"newsletter", "newsletters", "subscribe", "subscription", "signup", "paywall", "registration"}),
        frozenset(),
    ),
    (
        "share buttons",
        frozenset({"share", "sharing", "social", "sharebar", "addthis", "sharethis", "sharetools", "tools",
                   "toolbar", "storytools", "articletools"}),
        frozenset(),
    ),
    (
        "navigation",
        frozenset({"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "pagination", "pager",
                   "skiplink", "skiplinks"}),
        frozenset(),
    ),
    ("tags", frozenset({"tags", "taglist", "topics", "keywords"}), frozenset()),
    ("section label", frozenset({"kicker", "eyebrow", "overline"}), frozenset()),
    ("pull quote (repeats the text)", frozenset({"pullquote", "pullout"}), frozenset()),
    ("sidebar", frozenset({"sidebar", "rail", "widget", "widgets"}), frozenset()),
    ("footer", frozenset({"footer", "colophon"}), frozenset()),
    ("pop-up", frozenset({"modal", "popup", "overlay", "interstitial"}), frozenset()),
    (
        "screen-reader text",
        frozenset(),
        frozenset({"sronly", "visuallyhidden", "screenreadertext", "screenreaderonly", "offscreen", "hidden",
                   "invisible", "hide"}),
    ),
)
# Words also matched as the start of a longer class component ("relatedposts", "sidebarleft").
_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    (word, kind)
    for kind, words in (
        ("cookie banner", ("cookie", "consent")),
        ("advertising", ("advert", "sponsor", "taboola", "outbrain")),
        ("comments", ("comments", "commentlist", "disqus")),
        ("most-read list", ("mostread", "mostpopular", "trending", "popular")),
        ("related links", ("related", "recommended")),
        ("newsletter sign-up", ("newsletter", "subscribe", "signup", "paywall")),
        ("share buttons", ("sharing", "social")),
        ("navigation", ("breadcrumb", "navigation")),
        ("sidebar", ("sidebar", "widget")),
        ("footer", ("footer",)),
        ("pop-up", ("overlay",)),
    )
    for word in words
)
_ROLES = {
    "navigation": "navigation",
    "banner": "site header",
    "contentinfo": "footer",
    "complementary": "sidebar",
    "search": "search box",
    "dialog": "pop-up",
    "alertdialog": "pop-up",
    "menu": "navigation",
    "menubar": "navigation",
    "toolbar": "share buttons",
}
_TAGS = {"nav": "navigation", "aside": "sidebar", "footer": "footer", "header": "site header"}
_CONTENT_TOKENS = frozenset(
    {
        "articlebody", "storybody", "entrycontent", "postcontent", "articlecontent", "storycontent",
        "postbody", "entrybody", "articletext", "storytext", "bodytext", "maincontent", "contentbody",
        "articlebodytext", "story", "article", "post", "content", "main",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MIN_ARTICLE_CHARS = 200


def _tokens(el: etree._Element) -> tuple[set[str], set[str]]:
    """(components, whole tokens) of an element's class and id, lower-cased, separators removed."""
    raw = [
        token
        for name in ("class", "id", "data-component", "data-testid", "data-module", "itemprop")
        for token in (el.get(name) or "").split()
    ]
    components: set[str] = set()
    whole: set[str] = set()
    for token in raw:
        parts = [p.lower() for p in _WORD_SPLIT.split(token) if p]
        if not parts:
            continue
        whole.add("".join(parts))
        components.update(parts)
        components.update(a + b for a, b in itertools.pairwise(parts))
    return components, whole


def classify(el: etree._Element) -> str:
    """What kind of site boilerplate ``el`` is ("" when it looks like content)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    role = (el.get("role") or "").strip().lower()
    if role in _ROLES:
        return _ROLES[role]
    components, whole = _tokens(el)
    if components or whole:
        for kind, words, tokens in _KINDS:
            if components & words or whole & tokens:
                return kind
        for component in components:
            for word, kind in _PREFIXES:
                if component.startswith(word):
                    return kind
    return _TAGS.get(tag, "")


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def remove_hidden(root: etree._Element, notes: Notes) -> None:
    """Drop elements a reader of the page would not see (hidden text can be an injection)."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in ("html", "body", "head"):
            continue
        if _is_hidden(el):
            text = text_of(el)
            if text:
                notes.add("reader.boilerplate-removed", "removed hidden element", text, line_of(el))
            remove(el)


@dataclass(slots=True)
class _Scorer:
    """Paragraph text per element, ignoring paragraphs inside boilerplate."""

    boilerplate: dict[etree._Element, str]

    def paragraph_chars(self, el: etree._Element) -> int:
        total = 0
        for p in el.iter("p", "pre", "blockquote", "li", "td"):
            if p.tag in ("li", "td") and p.find(".//p") is not None:
                continue
            if self.in_boilerplate(p, stop=el):
                continue
            text = text_of(p)
            links = sum(len(text_of(a)) for a in p.iter("a"))
            if p.tag in ("li", "td") and (len(text) < 60 or links > 0.5 * len(text)):
                continue
            if text and links <= 0.5 * len(text):
                total += len(text)
        return total

    def in_boilerplate(self, el: etree._Element, stop: etree._Element | None = None) -> bool:
        node: etree._Element | None = el
        while node is not None and node is not stop:
            if node in self.boilerplate:
                return True
            node = node.getparent()
        return False


def _boilerplate_map(body: etree._Element) -> dict[etree._Element, str]:
    found: dict[etree._Element, str] = {}
    for el in body.iter():
        if isinstance(el.tag, str) and el is not body:
            kind = classify(el)
            if kind:
                found[el] = kind
    return found


def _candidates(body: etree._Element) -> list[tuple[int, etree._Element]]:
    """Semantic containers with their priority (lower is better)."""
    found: list[tuple[int, etree._Element]] = []
    for el in body.iter():
        if el.tag == "article":
            found.append((0, el))
        elif (el.get("itemprop") or "").lower() == "articlebody":
            found.append((1, el))
        elif el.tag == "main" or (el.get("role") or "").lower() == "main":
            found.append((2, el))
        else:
            _, whole = _tokens(el)
            if whole & _CONTENT_TOKENS:
                found.append((3, el))
    return found


def find_container(root: etree._Element) -> etree._Element:
    """The element holding the article (``<body>`` when nothing better is found)."""
    body = root.find("body")
    if body is None:
        return root
    raw = _Scorer({})
    raw_total = raw.paragraph_chars(body)
    # A "boilerplate" class on an element holding most of the page's text is a false alarm
    # (e.g. <main class="content has-sidebar">).
    boilerplate = {
        el: kind for el, kind in _boilerplate_map(body).items() if raw.paragraph_chars(el) < 0.4 * raw_total
    }
    scorer = _Scorer(boilerplate)
    total = scorer.paragraph_chars(body)
    if total < _MIN_ARTICLE_CHARS:
        return body
    best: tuple[int, int, etree._Element] | None = None
    for priority, el in _candidates(body):
        if scorer.in_boilerplate(el):
            continue
        chars = scorer.paragraph_chars(el)
        if chars < 0.6 * total:
            continue
        key = (priority, -chars)
        if best is None or key < best[:2]:
            best = (priority, -chars, el)
    if best is not None:
        return _with_headline(best[2], scorer)
    # Fallback: the parent of the paragraphs carrying most text (readability-style).
    scores: dict[etree._Element, float] = {}
    for p in body.iter("p", "pre"):
        if scorer.in_boilerplate(p):
            continue
        text = text_of(p)
        if len(text) < 25:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + len(text)
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + len(text) / 2
    if not scores:
        return body
    return _with_headline(max(scores.items(), key=lambda kv: kv[1])[0], scorer)


def _with_headline(container: etree._Element, scorer: _Scorer) -> etree._Element:
    """The nearest ancestor that adds the article's ``<h1>`` header without much more text."""
    if container.find(".//h1") is not None:
        return container
    chars = scorer.paragraph_chars(container)
    for ancestor in container.iterancestors():
        if ancestor.tag in ("body", "html") or scorer.paragraph_chars(ancestor) > 1.25 * chars + 200:
            break
        headline = ancestor.find(".//h1")
        if headline is not None and not scorer.in_boilerplate(headline, stop=ancestor):
            return ancestor
    return container


def drop_outside(container: etree._Element, notes: Notes) -> None:
    """Report (and detach) everything with text outside ``container``, region by region."""
    node = container
    for ancestor in container.iterancestors():
        if ancestor.tag == "html":
            break
        for sibling in ancestor:
            if sibling is node or not isinstance(sibling.tag, str):
                continue
            text = text_of(sibling)
            if text:
                kind = classify(sibling) or "page furniture"
                notes.add(
                    "reader.boilerplate-removed",
                    f"removed {kind} outside the article",
                    text,
                    line_of(sibling),
                )
        node = ancestor


def drop_boilerplate_inside(container: etree._Element, notes: Notes) -> None:
    """Remove classified boilerplate inside the article, keeping any element that holds most of it."""
    total = len(text_of(container)) or 1
    for el in list(container.iter()):
        if el is container or not isinstance(el.tag, str) or not _under(el, container):
            continue
        kind = classify(el)
        if not kind:
            continue
        if el.tag in ("header",) and kind == "site header":
            continue  # an article's own header holds its headline and byline
        if el.tag == "footer" and any(a.tag in ("blockquote", "figure") for a in el.iterancestors()):
            continue  # a quotation's attribution
        if el.tag == "aside" and kind == "sidebar" and not _link_dense(el):
            continue  # a fact box inside the article
        text = text_of(el)
        structural = el.tag == "nav" or (el.get("role") or "").strip().lower() in _ROLES
        if len(text) >= 0.4 * total and not structural:
            continue  # a boilerplate-like class on most of the article: a false alarm
        if text:
            notes.add("reader.boilerplate-removed", f"removed {kind}", text, line_of(el))
        remove(el)


_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _link_share(el: etree._Element) -> float:
    text = len(text_of(el))
    return sum(len(text_of(a)) for a in el.iter("a")) / text if text else 0.0


def _is_link_group(el: etree._Element) -> bool:
    """A list of links or of link-wrapped teasers ("Top stories", "More on this story")."""
    items = [c for c in el if isinstance(c.tag, str) and text_of(c) and c.tag not in _HEADING_TAGS]
    if len(items) < 2:
        return False
    linked = [c for c in items if c.tag != "p" and c.find(".//a") is not None and _link_share(c) >= 0.5]
    return len(linked) == len(items)


def drop_link_groups(container: etree._Element, notes: Notes) -> None:
    """Remove lists of links and teaser cards inside the article, with the heading that introduces them."""
    total = len(text_of(container)) or 1
    for el in list(container.iter("ul", "ol", "div", "section", "nav", "aside")):
        if el is container or not _under(el, container) or not _is_link_group(el):
            continue
        text = text_of(el)
        if len(text) >= 0.4 * total:
            continue
        heading = el.getprevious()
        while heading is not None and not text_of(heading):
            heading = heading.getprevious()
        if heading is not None and (
            heading.tag in _HEADING_TAGS
            or (heading.tag == "p" and len(text_of(heading)) <= 80 and heading.getnext() is el
                and el.getnext() is None)
        ):
            notes.add("reader.boilerplate-removed", "removed heading of a list of links", text_of(heading),
                      line_of(heading))
            remove(heading)
        notes.add("reader.boilerplate-removed", "removed list of links", text, line_of(el))
        remove(el)


def _under(el: etree._Element, container: etree._Element) -> bool:
    """True while ``el`` is still inside ``container`` (not inside something removed)."""
    return any(a is container for a in el.iterancestors())


def _link_dense(el: etree._Element) -> bool:
    text = len(text_of(el))
    links = sum(len(text_of(a)) for a in el.iter("a"))
    return text == 0 or links > 0.5 * text


__all__ = [
    "classify",
    "drop_boilerplate_inside",
    "drop_link_groups",
    "drop_outside",
    "find_container",
    "remove_hidden",
]
