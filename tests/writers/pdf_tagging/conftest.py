"""Fixtures of the PDF tagging tests: fonts and synthetic briefings (built by :mod:`tagging_samples`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tagging_samples import Fonts, Options, Sample, find_fonts, sample


@pytest.fixture(scope="session")
def fonts() -> Fonts:
    found = find_fonts()
    if found is None:
        pytest.skip("fonts not installed: DejaVu Serif, DejaVu Sans, DejaVu Sans Mono, Noto Sans Arabic")
    return found


@pytest.fixture(scope="session")
def build(fonts: Fonts) -> Callable[..., Sample]:
    """``build(**options)``: a sample with :class:`Options` ``options``."""
    cache: dict[tuple[tuple[str, Any], ...], Sample] = {}

    def make(**kwargs: Any) -> Sample:
        key = tuple(sorted(kwargs.items()))
        if key not in cache:
            cache[key] = sample(fonts, Options(**kwargs))
        return cache[key]

    return make


@pytest.fixture(scope="session")
def conforming(build: Callable[..., Sample]) -> Sample:
    """The default sample."""
    return build()
