"""Link targets shared by the readers (readers/common/links.py): malformed URLs never raise."""

from __future__ import annotations

import pytest

from briefpub.readers.common.links import link_target


@pytest.mark.parametrize(("href", "base"), [("page", "https://[broken/"), ("page", "http://[::1/x")])
def test_a_malformed_base_leaves_the_link_relative(href: str, base: str) -> None:
    assert link_target(href, base) == ("", "relative")


def test_a_good_base_still_resolves() -> None:
    assert link_target("b/c?d#e", "https://news.example/a/") == ("https://news.example/a/b/c?d#e", "")
