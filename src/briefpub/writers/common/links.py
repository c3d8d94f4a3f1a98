"""The one link policy every writer follows (writers' shared layer).

:func:`resolve_link` decides, once and identically for the PDF, EPUB and DOCX
writers, what a :class:`~briefpub.tree.Link` URL becomes:

* :class:`External`: ``http``, ``https`` and ``mailto`` addresses with a usable
  host (or address), as a normalised href: characters a URL cannot hold are
  percent-encoded (existing escapes kept), an international host is
  IDNA-encoded. ``https://`` with no host is refused, in every format.
* :class:`Internal`: ``#fragment`` naming a heading of the same article (the
  ``ids`` transform has already rewritten fragments to the headings' final
  ids); the target is the heading's anchor in the whole publication.
* :class:`Refused`: anything else (``javascript:``, ``data:``, ``file:``,
  relative paths, a fragment naming no heading), with the reason. The writer
  keeps the link's text and reports :func:`refusal_diagnostic`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import quote, urlsplit, urlunsplit

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic, excerpt

__all__ = ["SAFE_SCHEMES", "External", "Internal", "LinkTarget", "Refused", "refusal_diagnostic", "resolve_link",
           "safe_href"]

#: The only schemes that may become live links.
SAFE_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True, slots=True)
class External:
    """A live link out of the publication."""

    href: str


@dataclass(frozen=True, slots=True)
class Internal:
    """A live link to an anchor inside the publication (``document`` is the article's index)."""

    anchor: str
    document: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A link that stays text, and why."""

    reason: str


LinkTarget: TypeAlias = External | Internal | Refused

_HOST = lazy_re(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_BAD_PERCENT = lazy_re(r"%(?![0-9A-Fa-f]{2})")
# Characters kept as they are in each part of a URL; everything else is percent-encoded
# (brackets only belong in an IPv6 host; "#" only once, before the fragment).
_URL_SAFE = "!$%&'()*+,-./:;=@_~"
_URL_SAFE_QUERY = _URL_SAFE + "?"


def safe_href(url: str) -> str | None:
    """``url`` as a valid href if it may become a link (http, https, mailto with a host), else None."""
    target = resolve_link(url, lambda _fragment: None, 0)
    return target.href if isinstance(target, External) else None


def _external(url: str) -> LinkTarget:
    url = _BAD_PERCENT.sub("%25", url)
    if url.lower().startswith("mailto:"):
        rest = quote(url[len("mailto:") :], safe=_URL_SAFE_QUERY)
        return External("mailto:" + rest) if rest.strip() else Refused("a mailto: link with no address")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return Refused("a malformed address")
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return Refused("a host name that cannot be encoded")
    if ":" in host:  # an IPv6 literal (urlsplit drops its brackets)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return Refused("a malformed IPv6 host")
    elif not host:
        return Refused("an address with no host")
    elif not _HOST.match(host):
        return Refused("a malformed host name")
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{quote(userinfo, safe=_URL_SAFE.replace('@', '').replace('/', ''))}@{netloc}"
    return External(urlunsplit((
        parts.scheme.lower(),
        netloc,
        quote(parts.path, safe=_URL_SAFE),
        quote(parts.query, safe=_URL_SAFE_QUERY),
        quote(parts.fragment, safe=_URL_SAFE_QUERY),
    )))


def resolve_link(url: str, anchor_of: Callable[[str], str | None], document: int) -> LinkTarget:
    """What ``url`` (as written in article ``document``) becomes in every format.

    ``anchor_of`` maps a heading id of that article to its anchor in the
    publication (None when the article has no such heading).
    """
    stripped = url.strip()
    if stripped.startswith("#"):
        fragment = stripped[1:]
        anchor = anchor_of(fragment) if fragment else None
        if anchor is None:
            return Refused(f"no heading with the id {excerpt(fragment)!r} in this article")
        return Internal(anchor, document)
    if not stripped.lower().startswith(SAFE_SCHEMES):
        scheme = stripped.split(":", 1)[0].lower() if ":" in stripped else ""
        if scheme and scheme.isascii() and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum():
            return Refused(f"the {scheme}: scheme is not allowed (only http, https and mailto)")
        return Refused("a relative address with no site to resolve it against")
    return _external(stripped)


def refusal_diagnostic(url: str, refused: Refused) -> Diagnostic:
    """The report of a link kept as text."""
    return Diagnostic("writer.unsafe-link", f"link kept as text: {refused.reason}", text=excerpt(url))
