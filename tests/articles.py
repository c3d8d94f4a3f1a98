"""The article files among the fixtures: what tests that run over "every fixture" parametrize on.

Fixture folders also hold expectation files (reader case files such as ``fixtures/md/blocks.txt``,
``*.expected.txt`` texts of saved pages); those are never articles. Every listed article must be
read without error: a refusal is a test failure, never a skip.
"""

from __future__ import annotations

from pathlib import Path

from shared_data import REFERENCE

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

#: Every article fixture: pasted text, Markdown, saved web pages, the equivalence trio.
ARTICLES: tuple[Path, ...] = tuple(sorted([
    *(FIXTURES / "txt").glob("*.txt"),
    *(FIXTURES / "md").glob("*.md"),
    *(FIXTURES / "html").glob("*.html"),
    *(FIXTURES / "html" / "pages").glob("*.html"),
    *(FIXTURES / "equivalence").glob("article.*"),
]))

#: The article fixtures and the reference article (tests call ``shared_data.require_shared`` for it).
ARTICLES_AND_REFERENCE: tuple[Path, ...] = (*ARTICLES, REFERENCE)


def article_id(path: Path) -> str:
    """A short test id for an article path."""
    return "reference" if path == REFERENCE else path.relative_to(FIXTURES).as_posix()
