"""The one link policy: what becomes a live link, what stays text, and why."""

from __future__ import annotations

import pytest

from briefpub.writers.common.links import External, Internal, Refused, refusal_diagnostic, resolve_link, safe_href


def _anchor(fragment: str) -> str | None:
    return {"background": "a2-background"}.get(fragment)


@pytest.mark.parametrize(("url", "href"), [
    ("https://example.org/a b", "https://example.org/a%20b"),
    ("HTTP://Example.org/x?q=1#frag", "http://example.org/x?q=1#frag"),
    ("https://bücher.example/ü", "https://xn--bcher-kva.example/%C3%BC"),
    ("https://[2001:db8::1]:8080/p", "https://[2001:db8::1]:8080/p"),
    ("mailto:desk@example.org", "mailto:desk@example.org"),
    ("https://example.org/100%", "https://example.org/100%25"),
])
def test_safe_addresses_become_normalised_links(url: str, href: str) -> None:
    assert resolve_link(url, _anchor, 0) == External(href)
    assert safe_href(url) == href


@pytest.mark.parametrize(("url", "reason"), [
    ("javascript:alert(1)", "javascript: scheme"),
    ("data:text/html,x", "data: scheme"),
    ("file:///etc/passwd", "file: scheme"),
    ("https://", "no host"),
    ("https:///path", "no host"),
    ("other.html", "relative"),
    ("/about", "relative"),
    ("#nowhere", "no heading"),
    ("mailto:", "no address"),
    ("https://exa mple.org", "malformed host"),
])
def test_unsafe_or_dead_addresses_stay_text_with_a_reason(url: str, reason: str) -> None:
    target = resolve_link(url, _anchor, 0)
    assert isinstance(target, Refused)
    assert reason in target.reason
    assert refusal_diagnostic(url, target).code == "writer.unsafe-link"


def test_fragment_to_a_heading_is_internal() -> None:
    assert resolve_link(" #background ", _anchor, 2) == Internal("a2-background", 2)


def test_a_refused_link_is_quoted_by_an_excerpt() -> None:
    """A 10,000-character address (or dead #fragment) is reported in a line of bounded length."""
    for url in ("javascript:" + "x" * 10_000, "#" + "y" * 10_000):
        target = resolve_link(url, _anchor, 0)
        assert isinstance(target, Refused)
        diagnostic = refusal_diagnostic(url, target)
        assert len(diagnostic.text) <= 120 and url.startswith(diagnostic.text[:-1])
        assert len(diagnostic.format()) < 400
