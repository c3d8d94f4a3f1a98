"""Main-content extraction: find the article in a news page, drop the site boilerplate (reader stage, HTML).

The heuristic (measured against trafilatura and readability-lxml with
``bench/bench_html_extraction.py``, see ``docs/markdown-and-html.md``) works on
the neutralised lxml tree:

1. hidden elements (``hidden``, ``aria-hidden``, ``display:none``) go;
2. one pass measures every element: its text, the share of it in links, and
   its *paragraph text*: text in paragraphs, long list items and table cells,
   and bare text between ``<br>`` in a ``<div>`` or cell (:class:`PageStats`);
3. elements are *classified* as boilerplate by tag (``nav``, ``aside``,
   ``footer``...), ARIA role and the words of their ``class``/``id``
   (``cookie-banner``, ``most-read``, ``ad-slot``, ``comments``...), once per
   distinct set of attributes (cached). Words that also name real content
   (``menu``, ``sharing``, ``sidebar``, ``tags``, ``footer``...) need
   corroboration before they remove text: the element must be mostly links,
   or short; a class word never removes the element that holds the article's
   densest paragraph block (its *core*);
4. the *core* is the element whose paragraphs carry the most text (a
   readability-style score: a paragraph counts for its parent, half for its
   grandparent). The container is the best semantic candidate (``<article>``,
   ``itemprop=articleBody``, ``<main>``, ``role=main``, "article-body"-like
   classes) that holds the core and most of the page's paragraph text outside
   boilerplate; failing that, the core widened to its ancestors until it holds
   half of that text (articles split over sibling blocks, "Step 1", "Step 2"),
   then to the ``<h1>`` just above it (what follows the text's block inside
   that ancestor goes: a news timeline, related stories);
5. everything outside the container is dropped, and so is boilerplate inside
   it (a class word borne out by the element's links, its shortness, or a
   list of five or more cards in it: a gallery), and lists of links or of
   teaser cards (same-shaped items, each a headline link with an excerpt, a
   date or a picture).

Every drop is reported as ``reader.boilerplate-removed`` with what kind of
boilerplate it was, its whole size in words, the element's path in the page
and the start of its text, so a removal that swallowed the article shows in
the report. (Boilerplate is the site's text around the article, not a
writer's page furniture.)
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from lxml import etree

from briefpub._lazyre import lazy_re
from briefpub.readers.common.notes import EXCERPT, Notes
from briefpub.readers.html._parse import line_of, remove, text_of, words_of

_WORD_SPLIT = lazy_re(r"[-_\s:.]+|(?<=[a-z])(?=[A-Z])")

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
    (
        "related links",
        frozenset({"related", "recommended", "recirc", "recirculation", "readmore", "morestories", "moreposts",
                   "morenews", "morearticles", "breaking", "breakingnews", "teaser", "teasers"}),
        frozenset(),
    ),
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
    (
        "author box",
        frozenset({"bio", "authorbio", "userbio", "aboutauthor", "abouttheauthor", "authorbox", "authorinfo",
                   "authorcard", "authorprofile", "authordetails", "articleauthor", "contributorbio"}),
        frozenset(),
    ),
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
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
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
_PREFIX_RE = lazy_re("|".join(f"(?P<k{i}>{'|'.join(words)})" for i, (_, words) in enumerate(_PREFIXES)))
#: Kinds whose class words also name real content ("menu" in a MathJax class, "sharing" in a section
#: about sharing, "sidebar" on a page layout) remove text only when corroborated (see
#: :meth:`PageStats.corroborated`). Each: (the longest text removed whatever its links, the share of
#: its text in links that bears the word out).
_WEAK_KINDS: dict[str, tuple[int, float]] = {
    "share buttons": (80, 0.5),
    "navigation": (0, 0.5),
    "tags": (40, 0.5),
    "sidebar": (0, 0.5),
    "footer": (200, 0.5),
    "section label": (80, 0.5),
    "site header": (0, 0.5),
    # "read-more" also names the rest of a folded article; teaser lists carry excerpts
    "related links": (300, 0.2),
    "most-read list": (300, 0.2),
    # a short box about the writer, and only after the article's text has started (see drop_boilerplate_inside)
    "author box": (700, 2.0),
}
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
#: Inline elements: their text belongs to the block around them. Every other element (custom
#: ones too) is a block for measuring.
_INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del", "dfn", "em", "font", "i",
        "img", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong",
        "sub", "sup", "time", "tt", "u", "var", "wbr",
    }
)
_HIDDEN_STYLE = lazy_re(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SHARES = (1.0, 0.5)  # a paragraph counts for its parent, half for its grandparent
_MIN_ARTICLE_CHARS = 160  # visible characters, whitespace not counted
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_ATTRS = ("class", "id", "data-component", "data-testid", "data-module", "itemprop")  # as in _attrs
_ATTR_SET = frozenset(_ATTRS)
_TELLING_TAGS = frozenset({*_TAGS, "article", "main"})  # measured even without attributes


@functools.lru_cache(maxsize=16384)
def _token(token: str) -> tuple[str, frozenset[str]]:
    """(whole, components) of one class/id token: lower-cased, split at separators and camelCase
    ("CtxtMenu" -> ctxt, menu), adjacent parts joined too ("most-read" -> mostread)."""
    parts = [p.lower() for p in _WORD_SPLIT.split(token) if p]
    return "".join(parts), frozenset((*parts, *(a + b for a, b in itertools.pairwise(parts))))


def _tokens_of(raw: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(components, whole tokens) of class/id tokens, lower-cased, separators removed."""
    components: set[str] = set()
    whole: set[str] = set()
    for token in raw:
        joined, parts = _token(token)
        if joined:
            whole.add(joined)
            components |= parts
    return components, whole


def _attrs(el: etree._Element, keys: Sequence[str | bytes] | None = None) -> tuple[str, ...]:
    """The attributes classification reads (class, id...), as written: the cache key (``keys``:
    ``el.keys()`` when the caller has them)."""
    keys = el.keys() if keys is None else keys
    if not keys or _ATTR_SET.isdisjoint(keys):
        return ()
    get = el.get
    return (get("class") or "", get("id") or "", get("data-component") or "", get("data-testid") or "",
            get("data-module") or "", get("itemprop") or "")


@functools.lru_cache(maxsize=8192)
def _kind_of(tag: str, role: str, attrs: tuple[str, ...]) -> tuple[str, bool]:
    """(kind, from class words) for an element's tag, role and class/id attributes (cached: pages repeat them)."""
    if role in _ROLES:
        return _ROLES[role], False
    raw = tuple(token for value in attrs for token in value.split())
    if raw:
        components, whole = _tokens_of(raw)
        for kind, words, tokens in _KINDS:
            if components & words or whole & tokens:
                return kind, True
        for component in sorted(components):
            m = _PREFIX_RE.match(component)
            if m is not None and m.lastgroup is not None:
                return _PREFIXES[int(m.lastgroup[1:])][0], True
    return _TAGS.get(tag, ""), False


@functools.lru_cache(maxsize=4096)
def _content_class(attrs: tuple[str, ...]) -> bool:
    return bool(_tokens_of(tuple(token for value in attrs for token in value.split()))[1] & _CONTENT_TOKENS)


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def classify_kind(el: etree._Element) -> tuple[str, bool]:
    """(kind of site boilerplate, whether only class/id words say so) for ``el`` ("" when it looks like content)."""
    return _kind_of(_tag(el), (el.get("role") or "").strip().lower(), _attrs(el))


def classify(el: etree._Element) -> str:
    """What kind of site boilerplate ``el`` looks like ("" when it looks like content)."""
    return classify_kind(el)[0]


def _chars(text: str | None) -> int:
    """Visible characters of a piece of text (whitespace not counted)."""
    return len("".join(text.split())) if text else 0


class PageStats:
    """Text measures of every element of a page, computed in one pass (see the module docstring).

    ``text``/``links``: characters (whitespace not counted) in the element and in links in it,
    for block elements; ``para``: paragraph characters outside boilerplate; ``kinds``: the
    boilerplate elements (corroborated) and their kind.
    """

    def __init__(self, body: etree._Element) -> None:
        order = list(body.iter(etree.Element))  # elements only (no comments or processing instructions)
        block_of: dict[etree._Element, etree._Element] = {body: body}
        in_link: dict[etree._Element, bool] = {body: False}
        own_text: dict[etree._Element, int] = {}
        own_links: dict[etree._Element, int] = {}
        parents: dict[etree._Element, etree._Element] = {}
        classified: dict[etree._Element, tuple[str, bool]] = {}
        self.candidates: list[tuple[int, etree._Element]] = []  # see _candidates
        candidates = self.candidates
        measure, inline = _measure, _INLINE
        for el in order:
            tag = str(el.tag)  # the HTML parser lower-cases tag names
            keys = el.keys()
            if keys:
                found, priority = measure(tag, el.get("role") if "role" in keys else None, _attrs(el, keys))
            elif tag in _TELLING_TAGS:
                found, priority = measure(tag, None, ())
            else:
                found = priority = None
            if found is not None:
                classified[el] = found
            if priority is not None:
                candidates.append((priority, el))
            if el is not body:
                parent = el.getparent()
                assert parent is not None
                parents[el] = parent
                block_of[el] = block_of[parent] if tag in inline else el
                in_link[el] = tag == "a" or in_link[parent]
                tail = el.tail
                if tail and not tail.isspace():
                    n, block = len("".join(tail.split())), block_of[parent]  # as _chars
                    own_text[block] = own_text.get(block, 0) + n
                    if in_link[parent]:
                        own_links[block] = own_links.get(block, 0) + n
            text = el.text
            if text and not text.isspace():
                n, block = len("".join(text.split())), block_of[el]
                own_text[block] = own_text.get(block, 0) + n
                if in_link[el]:
                    own_links[block] = own_links.get(block, 0) + n
        self.body = body
        self.rank = dict(zip(order, range(len(order)), strict=True))
        self.parents = parents
        self.classified = classified
        self.block_text = own_text  # each block's own text (not its child blocks')
        self.block_of = block_of
        self.text: dict[etree._Element, int] = dict(own_text)
        self.links: dict[etree._Element, int] = dict(own_links)
        text_of_el, links_of_el = self.text, self.links
        for el in reversed(order):  # (an element with links in it has text in it)
            chars = text_of_el.get(el)
            if chars is None:
                continue
            parent = parents.get(el)
            if parent is None:
                continue
            text_of_el[parent] = text_of_el.get(parent, 0) + chars
            linked = links_of_el.get(el)
            if linked is not None:
                links_of_el[parent] = links_of_el.get(parent, 0) + linked
        self.own = {el: n for el, n in own_text.items() if _paragraph(el, n, own_links.get(el, 0))}
        self.kinds: dict[etree._Element, str] = {}
        self.by_class: set[etree._Element] = set()  # elements a class word (borne out or not) calls furniture
        for el, (kind, by_class) in classified.items():
            if el is not body:
                if by_class:
                    self.by_class.add(el)
                if not by_class or self.corroborated(el, kind):
                    self.kinds[el] = kind
        self.core = self._core(order)
        if self.core is not None:  # a class word on the article's densest block is a false alarm
            for ancestor in (self.core, *self.core.iterancestors()):
                if ancestor in self.kinds and ancestor in self.by_class:
                    del self.kinds[ancestor]
        self.para: dict[etree._Element, int] = {}
        for el in reversed(order):
            n = self.para.get(el, 0) + self.own.get(el, 0)
            if not n:
                continue
            self.para[el] = n
            parent = parents.get(el)
            if parent is not None and el not in self.kinds:
                self.para[parent] = self.para.get(parent, 0) + n

    def _class_weight(self, el: etree._Element) -> float:
        """How much a paragraph under ``el``'s class words counts: a quarter under words that need no
        corroboration (comments, advertising, pop-up...), half under the others, fully without."""
        if el not in self.by_class:
            return 1.0
        return 0.5 if self.classified[el][0] in _WEAK_KINDS else 0.25

    def after_text(self, el: etree._Element) -> bool:
        """True when ``el`` comes after the first paragraph of the article's core (in page order)."""
        if self.core is None:
            return False
        first = next((p for p in self.core.iter() if p in self.own), None)
        rank = self.rank
        return first is not None and rank.get(el, -1) > rank.get(first, 0)

    def corroborated(self, el: etree._Element, kind: str) -> bool:
        """True when a class word's ``kind`` is borne out: mostly links, or short (see ``_WEAK_KINDS``)."""
        if kind not in _WEAK_KINDS:
            return True
        limit, share = _WEAK_KINDS[kind]
        text = self.text.get(el, 0)
        return text <= limit or self.links.get(el, 0) > share * text

    def in_boilerplate(self, el: etree._Element) -> bool:
        """True when ``el`` or an ancestor is boilerplate."""
        return any(node in self.kinds for node in (el, *el.iterancestors()))

    def _core(self, order: list[etree._Element]) -> etree._Element | None:
        """The element whose paragraphs carry the most text (a paragraph counts for its parent, half for
        its grandparent; bare text in a block counts for the block too)."""
        scores: dict[etree._Element, float] = {}
        # Paragraphs count less under each furniture-like class word around them, even one not borne
        # out (a gallery of captions in a "widget"): readability's class weight; and half in a list item.
        weight: dict[etree._Element, float] = {self.body: 1.0}
        structural: set[etree._Element] = set()  # under a <nav>, <footer>, role=navigation...
        for el in order:
            parent = self.parents.get(el)
            if parent is not None:
                # lists hold teasers, galleries and comments more often than an article's text
                weight[el] = weight[parent] * self._class_weight(el) * (0.5 if el.tag == "li" else 1.0)
                if parent in structural or (el in self.kinds and el not in self.by_class):
                    structural.add(el)
        for el, n in self.own.items():
            if n < 25 or el in structural:
                continue
            score = n * weight.get(el, 1.0)
            node: etree._Element | None = el
            shares: tuple[float, ...] = _SHARES
            if _tag(el) in ("p", "pre", "li", "dd", "blockquote"):
                node = el.getparent()  # a paragraph counts for its parent
            elif not any(_tag(c) not in _INLINE for c in el):
                shares = (1.0, *_SHARES)  # a <div> of text: for itself and, as a paragraph, for its parent
            for share in shares:
                if node is None:
                    break
                scores[node] = scores.get(node, 0.0) + score * share
                node = node.getparent()
        for outside in self.body.iterancestors():
            scores.pop(outside, None)
        if not scores:
            return None
        rank = self.rank
        return max(scores.items(), key=lambda kv: (kv[1], rank.get(kv[0], 0)))[0]  # ties: the deeper


def _paragraph(el: etree._Element, chars: int, links: int) -> bool:
    """True when a block's own text reads as a paragraph of the article (not a link list or a label)."""
    tag = _tag(el)
    if tag in _HEADING_TAGS or tag == "h1" or links > 0.5 * chars:
        return False
    if tag in ("p", "pre", "blockquote", "figcaption", "dd"):
        return True
    if tag in ("li", "td", "th", "dt"):
        return chars >= 60
    return chars >= 50  # bare text in a <div>, <td>, <section>: paragraphs separated by <br>


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def element_path(el: etree._Element) -> str:
    """Where ``el`` is in the page, e.g. ``body/div#main/aside.rail`` (the last five steps)."""
    steps = []
    for node in (el, *el.iterancestors()):
        tag = _tag(node)
        if not tag or tag == "html":
            break
        ident = (node.get("id") or "").strip()
        cls = (node.get("class") or "").split()
        steps.append(tag + (f"#{ident[:30]}" if ident else f".{cls[0][:30]}" if cls else ""))
    return "/".join(reversed(steps[:5])) if len(steps) <= 5 else "\u2026/" + "/".join(reversed(steps[:5]))


def report_removal(notes: Notes, el: etree._Element, what: str, text: str | None = None) -> None:
    """Report the removal of ``el``: what it was, its whole size in words, its path, the start of its text."""
    if text is None:
        words = words_of(el)  # text_of(el) is these joined: only as many are joined as the quote needs
        quoted = " ".join(words) if notes.verbatim else _excerpt_words(words)
    else:
        words, quoted = text.split(), text
    if quoted:
        notes.add("reader.boilerplate-removed", f"removed {what} ({len(words)} words, {element_path(el)})", quoted,
                  line_of(el))


def _excerpt_words(words: list[str]) -> str:
    """The first of ``words``, joined, enough for their :func:`~briefpub.diagnostics.excerpt` to be that of
    all of them (a removal of thousands of words is quoted without joining them all)."""
    length = -1
    for i, word in enumerate(words):
        length += len(word) + 1
        if length > EXCERPT:
            return " ".join(words[: i + 1])
    return " ".join(words)


def remove_hidden(root: etree._Element, notes: Notes) -> None:
    """Drop elements a reader of the page would not see (hidden text can be an injection)."""
    found = root.xpath("//*[@hidden or @aria-hidden or @style]")
    for el in found if isinstance(found, list) else []:
        if not isinstance(el, etree._Element) or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in ("html", "body", "head") or not _is_hidden(el):
            continue  # (most elements with a style are shown: looked at before the walk up the tree)
        if _attached(el, root):  # not inside a hidden element already removed
            report_removal(notes, el, "hidden element")
            remove(el)


@functools.lru_cache(maxsize=8192)
def _measure(tag: str, role: str | None, attrs: tuple[str, ...]) -> tuple[tuple[str, bool] | None, int | None]:
    """(:func:`classify_kind`'s reading when it finds a kind, :func:`_priority`) of an element with
    attributes or of a telling tag, from its tag, ``role`` attribute (None: none) and :func:`_attrs`
    (cached: a page repeats them, and classification is the costly part of :class:`PageStats`)."""
    found = _kind_of(tag, (role or "").strip().lower(), attrs) if attrs or role or tag in _TAGS else None
    priority = _priority(tag, role, attrs) if attrs or role or tag in ("article", "main") else None
    return (found if found is not None and found[0] else None), priority


def _priority(tag: str, role: str | None, attrs: tuple[str, ...]) -> int | None:
    """How surely an element is a semantic container of the article (lower is surer; None: it is not),
    from its tag, ``role`` attribute (None: none) and :func:`_attrs`."""
    if tag == "article":
        return 0
    if not attrs and tag != "main" and role is None:
        return None
    if attrs and attrs[5].lower() == "articlebody":  # itemprop
        return 1
    if tag == "main" or (role or "").lower() == "main":
        return 2
    if attrs and _content_class(attrs):
        return 3
    return None


def page_stats(root: etree._Element) -> PageStats | None:
    """The measures of a page's ``<body>`` (None for a page without one)."""
    body = root.find("body")
    return PageStats(body) if body is not None else None


def find_container(root: etree._Element, stats: PageStats | None = None) -> tuple[etree._Element, etree._Element]:
    """(container, body): the element holding the article with its headline (``<body>`` when nothing
    better is found), and the element holding its text inside it (the same element, or a descendant
    when the container was widened to the ``<h1>`` above the text)."""
    stats = stats or page_stats(root)
    if stats is None:
        return root, root
    body = stats.body
    total = stats.para.get(body, 0)
    core = stats.core
    if total < _MIN_ARTICLE_CHARS or core is None or core is body:
        return body, body
    best: tuple[int, float, etree._Element] | None = None
    for priority, el in stats.candidates:
        if stats.in_boilerplate(el):
            continue
        chars = stats.para.get(el, 0)
        if chars < 0.6 * total or not (el is core or any(a is el for a in core.iterancestors())):
            continue
        # of equal rank, the one with most paragraph text net of half its other text (furniture)
        key = (priority, -(chars - 0.5 * (stats.text.get(el, 0) - chars)))
        if best is None or key < best[:2]:
            best = (*key, el)
    if best is not None:
        return _with_headline(best[2], stats), best[2]
    container = core
    while stats.para.get(container, 0) < 0.5 * total:
        parent = container.getparent()
        if parent is None or parent is body or _tag(parent) == "html" or not _widens(container, parent, stats):
            break
        container = parent
    return _with_headline(container, stats), container


def _shape(el: etree._Element) -> tuple[str, str]:
    return _tag(el), next(iter((el.get("class") or "").split()), "")


def _widens(node: etree._Element, parent: etree._Element, stats: PageStats) -> bool:
    """True when ``parent`` continues the article around ``node``: it adds little paragraph text, or
    most of what it adds is in paragraphs or in blocks shaped like ``node`` ("Step 1", "Step 2")."""
    own = stats.para.get(node, 0)
    extra = stats.para.get(parent, 0) - own
    if extra <= max(200, 0.25 * own):
        return True
    shape = _shape(node)
    alike = sum(
        stats.para.get(sibling, 0)
        for sibling in parent
        if sibling is not node and (_tag(sibling) in ("p", "blockquote", "pre") or _shape(sibling) == shape)
    )
    return alike >= 0.5 * extra


def _with_headline(container: etree._Element, stats: PageStats) -> etree._Element:
    """The nearest ancestor that adds the article's ``<h1>`` header without much more text."""
    if container.find(".//h1") is not None:
        return container
    chars = stats.para.get(container, 0)
    for ancestor in container.iterancestors():
        if ancestor.tag in ("body", "html") or stats.para.get(ancestor, 0) > 1.25 * chars + 200:
            break
        headline = ancestor.find(".//h1")
        if headline is not None and not any(
            a in stats.kinds for a in (headline, *headline.iterancestors()) if a is not ancestor
            and any(b is ancestor for b in a.iterancestors())
        ):
            return ancestor
    return container


def drop_after(container: etree._Element, text_block: etree._Element, notes: Notes) -> None:
    """Remove what follows the article's text inside a container widened to its headline.

    The header (headline, byline, date, standfirst, lead picture) comes before the text; what comes
    after it, within the container but outside the text's block, is the site's (a news timeline,
    related stories), unless it holds the headline.
    """
    node = text_block
    while node is not container:
        parent = node.getparent()
        if parent is None:
            return
        following = node.getnext()
        while following is not None:
            after = following.getnext()
            if isinstance(following.tag, str) and following.find(".//h1") is None and _tag(following) != "h1":
                report_removal(notes, following, f"{classify(following) or 'page furniture'} after the article")
                remove(following)
            following = after
        node = parent


def drop_outside(container: etree._Element, notes: Notes) -> None:
    """Report (and detach) everything with text outside ``container``, region by region."""
    node = container
    for ancestor in container.iterancestors():
        if ancestor.tag == "html":
            break
        for sibling in ancestor:
            if sibling is node or not isinstance(sibling.tag, str):
                continue
            report_removal(notes, sibling, f"{classify(sibling) or 'page furniture'} outside the article")
        node = ancestor


def drop_boilerplate_inside(container: etree._Element, notes: Notes, stats: PageStats | None = None) -> None:
    """Remove boilerplate inside the article (corroborated, never the article's core)."""
    core = stats.core if stats is not None else None
    keep = set() if core is None else {core, *core.iterancestors()}
    # Elements still inside the container, known in page order from their parent's place (an element
    # is removed only when it is visited): no walk up the tree for each element.
    inside: set[etree._Element] = {container}
    for el in list(container.iter()):
        if el is container or not isinstance(el.tag, str) or el.getparent() not in inside:
            continue
        inside.add(el)
        if el in keep:
            continue
        kind, by_class = stats.classified.get(el, ("", False)) if stats is not None else classify_kind(el)
        if not kind:
            continue
        if stats is not None and by_class and el in stats.text and not stats.corroborated(el, kind):
            cards = _cards_in(el)
            if not cards:
                continue
            kind = f"{kind} holding {cards} cards (a gallery or teasers)"
        if stats is not None and by_class and _in_sentence(el, stats):
            continue  # a class word on a link or span inside running text ("popup" glossary links)
        if kind == "author box" and (stats is None or not stats.after_text(el)):
            continue  # above the text it may be the byline, which the header reads into the metadata
        if el.tag in ("header",) and kind == "site header":
            continue  # an article's own header holds its headline and byline
        if el.tag == "footer" and any(a.tag in ("blockquote", "figure") for a in el.iterancestors()):
            continue  # a quotation's attribution
        if el.tag == "aside" and kind == "sidebar" and not _link_dense(el):
            continue  # a fact box inside the article
        report_removal(notes, el, kind)
        remove(el)
        inside.discard(el)


def _cards_in(el: etree._Element) -> int:
    """How many cards the largest list of cards in ``el`` holds (0 when none): five or more
    same-shaped list items, each a heading with a short text (a gallery's legends, teasers)."""
    best = 0
    for group in el.iter("ul", "ol"):
        items = [c for c in group if c.tag == "li"]
        if len(items) < 5 or len(items) <= best:
            continue
        shapes = [_shape(c) for c in items]
        if max(shapes.count(x) for x in set(shapes)) < 0.8 * len(items):
            continue
        carded = sum(
            1 for c in items if next(c.iter(*_HEADING_TAGS), None) is not None and len(text_of(c)) <= 600
        )
        if carded >= 0.8 * len(items):
            best = len(items)
    return best


def _in_sentence(el: etree._Element, stats: PageStats) -> bool:
    """True for an inline element whose block has more text around it (part of a sentence)."""
    if _tag(el) not in _INLINE:
        return False
    block = stats.block_of.get(el)
    if block is None:
        return False
    return stats.block_text.get(block, 0) > _chars(text_of(el)) + 20


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


def _is_teaser(item: etree._Element) -> bool:
    """A teaser card: a headline link (in a heading, or opening the item) with a short excerpt or a picture."""
    if item.tag == "p" or len(text_of(item)) > 400:
        return False
    for heading in item.iter(*_HEADING_TAGS):
        if heading.find(".//a") is not None or any(a.tag == "a" for a in heading.iterancestors()):
            return True
    first = next((d for d in item.iter() if isinstance(d.tag, str) and d is not item and (d.text or "").strip()),
                 None)
    if (item.text or "").strip() or first is None:
        return False
    link = first if first.tag == "a" else next((a for a in first.iterancestors() if a.tag == "a"), None)
    if link is None or not any(a is item for a in link.iterancestors()):
        return False
    # a headline: several words, followed by an excerpt, a date or a picture in blocks of their own
    return len(text_of(link).split()) >= 3 and any(_tag(c) in _BLOCKS_IN_TEASER for c in item.iter())


_BLOCKS_IN_TEASER = frozenset({"p", "div", "span", "img", "time", "h2", "h3", "h4", "h5", "h6"})


def _is_teaser_list(el: etree._Element) -> bool:
    """Three or more same-shaped teaser cards ("Latest", "More posts", live-feed and breaking-news lists)."""
    items = [c for c in el if isinstance(c.tag, str) and text_of(c) and c.tag not in _HEADING_TAGS]
    if len(items) < 3:
        return False
    shapes = [(c.tag, (c.get("class") or "").split()[:1]) for c in items]
    common = max(shapes.count(s) for s in shapes)
    if common < 0.8 * len(items):
        return False
    return sum(_is_teaser(c) for c in items) >= 0.8 * len(items)


def drop_link_groups(container: etree._Element, notes: Notes, stats: PageStats | None = None) -> None:
    """Remove lists of links and teaser cards inside the article, with the heading that introduces them."""
    total = len(text_of(container)) or 1
    core = stats.core if stats is not None else None
    keep = set() if core is None else {core, *core.iterancestors()}
    for el in list(container.iter("ul", "ol", "div", "section", "nav", "aside")):
        if el is container or el in keep or len(el) < 2 or not _under(el, container):
            continue
        if stats is not None and el in stats.text and not stats.links.get(el, 0):
            continue  # no links in it (measured before any removal, so never fewer than now)
        parent = el.getparent()
        if parent is not None and parent.tag == "li":
            continue  # a list of links nested in a list item of the article: its content
        links = _is_link_group(el)
        if not links and not _is_teaser_list(el):
            continue
        text = text_of(el)
        if links and len(text) >= 0.4 * total:
            continue
        heading = el.getprevious()
        while heading is not None and not text_of(heading):
            heading = heading.getprevious()
        if heading is not None and (
            heading.tag in _HEADING_TAGS
            or (heading.tag == "p" and len(text_of(heading)) <= 80 and heading.getnext() is el
                and el.getnext() is None)
        ):
            report_removal(notes, heading, "heading of a list of links")
            remove(heading)
        report_removal(notes, el, "list of links" if links else "list of teasers", text)
        remove(el)


def _attached(el: etree._Element, root: etree._Element) -> bool:
    return el is root or any(a is root for a in el.iterancestors())


def _under(el: etree._Element, container: etree._Element) -> bool:
    """True while ``el`` is still inside ``container`` (not inside something removed)."""
    return any(a is container for a in el.iterancestors())


def _link_dense(el: etree._Element) -> bool:
    text = len(text_of(el))
    links = sum(len(text_of(a)) for a in el.iter("a"))
    return text == 0 or links > 0.5 * text


__all__ = [
    "PageStats",
    "classify",
    "classify_kind",
    "drop_after",
    "drop_boilerplate_inside",
    "drop_link_groups",
    "drop_outside",
    "element_path",
    "find_container",
    "page_stats",
    "remove_hidden",
    "report_removal",
]
