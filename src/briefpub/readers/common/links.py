"""Which URLs may become links, and bare URLs in text made links (reader stage, shared by the readers).

The readers' link policy: ``http``, ``https`` and ``mailto`` targets become
links; an in-page ``#fragment`` is kept as written (the ids transform points it
at the heading's final id, writers make it live or report it); a relative URL
is resolved against the page's own http(s) address when there is one, else kept
as text; any other scheme (``javascript:``, ``data:``, ``file:``...) is refused.
The callers report what is refused. Writers apply the same policy again
(:mod:`briefpub.writers.common.links`): the tree is never trusted blindly.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from briefpub._lazyre import lazy_re
from briefpub.tree import Inline, Link, Text

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_JUNK = lazy_re(r"[\x00-\x20\x7f]+")  # browsers ignore these inside URLs ("java\tscript:")
_SCHEME = lazy_re(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INLINE_URL = lazy_re(r"https?://[^\s<>\"]+")
_URL_TRAILING_PUNCTUATION = ".,;:!?)]}\u2019\u201d'\""


def _clean_url(url: str) -> str:
    return _URL_JUNK.sub("", url)


def url_scheme(url: str) -> str:
    """The lower-case scheme of ``url`` as a browser would see it ("" when relative)."""
    m = _SCHEME.match(_clean_url(url))
    return m.group(1).lower() if m else ""


def link_target(href: str, base: str = "") -> tuple[str, str]:
    """Decide what a link may point to: ``(url, "")`` or ``("", problem)``.

    An in-page ``#fragment`` is kept as written. ``problem`` is ``"unsafe"`` (a
    scheme other than http, https and mailto, such as ``javascript:`` or
    ``data:``), ``"empty"`` (no target, or a bare ``#``), or ``"relative"`` (a
    relative URL with no http(s) ``base`` to resolve it against). Relative URLs
    are resolved against ``base`` when there is one.
    """
    url = href.strip()
    if not url or url == "#":
        return "", "empty"
    scheme = url_scheme(url)
    if scheme:
        return (url, "") if scheme in SAFE_LINK_SCHEMES else ("", "unsafe")
    if url.startswith("#"):
        return url, ""
    if url_scheme(base) in ("http", "https"):
        try:
            resolved = urljoin(base, url)
            absolute = url_scheme(resolved) in ("http", "https") and bool(urlsplit(resolved).netloc)
        except ValueError:  # a malformed base or URL ("https://[broken"): not resolvable
            absolute = False
        if absolute:
            return resolved, ""
    if url.startswith("//") and len(url) > 2:
        return "https:" + url, ""
    return "", "relative"


def shows_url(text: str, href: str) -> bool:
    """True when a link's visible text is (a form of) its own URL, as in autolinks."""
    shown = _clean_url(text).lower()
    return bool(shown) and (shown == _clean_url(href).lower() or url_scheme(shown) == url_scheme(href) != "")


def linkify(text: str) -> tuple[Inline, ...]:
    """Plain text to inlines, with bare http(s) URLs made into links (trailing punctuation left out)."""
    out: list[Inline] = []
    pos = 0
    for m in _INLINE_URL.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING_PUNCTUATION)
        start, end = m.start(), m.start() + len(url)
        if start > pos:
            out.append(Text(text[pos:start]))
        out.append(Link(url, (Text(url),)))
        pos = end
    if pos < len(text):
        out.append(Text(text[pos:]))
    return tuple(out)


def has_bare_url(text: str) -> bool:
    """True when ``text`` holds an http(s) URL that :func:`linkify` would make a link."""
    return _INLINE_URL.search(text) is not None
