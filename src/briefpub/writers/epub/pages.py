"""The page list: where each page of the print (PDF) edition begins, mapped into the EPUB (writer stage).

When the pipeline made the PDF in the same run it passes the PDF's page
starts (``WriteOptions.print_pages``, :class:`~briefpub.writers.PageStart`):
for each printed page, the article and the block (:data:`~briefpub.tree.BlockPath`)
its first text belongs to. The EPUB then carries a page-break marker at the
start of that block and a ``page-list`` navigation, so people reading the EPUB
and people holding the printed pack can turn to page 7 together.

:func:`plan_pages` decides where every marker goes:

* a page of an article's title block (``path`` None) starts the article's header;
* front-matter pages (``document`` None: cover, contents, summary page) go on the
  contents page of a pack, or before the article of a single article;
* a path the EPUB does not have (a stale or foreign page map) falls back to the
  nearest enclosing block, then to the title; an unknown document counts as front matter;
* markers never go backwards in reading order (a page whose block comes before the
  previous page's block is placed with the previous page), because reading
  systems and EPUBCheck expect the page list in reading order;
* each page number is used once (``id="page_7"``).

Several pages that begin inside one long block all point at its start; that is
as precise as block-level page starts allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefpub.tree import BlockPath, Document, enumerate_blocks, sanitise
from briefpub.writers import PageStart

__all__ = ["PagePlan", "page_anchor", "page_label", "plan_pages"]


def page_anchor(start: PageStart) -> str:
    """The id of the marker of a printed page (an underscore: never a heading id)."""
    return f"page_{start.page}"


def page_label(start: PageStart) -> str:
    """The printed page number as the marker and the page list show it (the page's number when it has none).

    Labels come from another writer, not from the tree, so they are sanitised here like any text.
    """
    return " ".join(sanitise(start.label).split()) or str(start.page)


@dataclass
class PagePlan:
    """Where the markers go: front matter, and per article (index) per block path (None: the title)."""

    front: list[PageStart] = field(default_factory=list)
    articles: dict[int, dict[BlockPath | None, list[PageStart]]] = field(default_factory=dict)
    ordered: list[tuple[PageStart, int | None]] = field(default_factory=list)

    def marks(self, index: int) -> dict[BlockPath | None, list[PageStart]]:
        """The markers of article ``index`` by block path."""
        return self.articles.get(index, {})

    @property
    def empty(self) -> bool:
        """True when there is no page list."""
        return not self.ordered


def plan_pages(print_pages: tuple[PageStart, ...], documents: tuple[Document, ...], *, in_pack: bool) -> PagePlan:
    """Place every printed page (see the module docstring); an empty plan without print pages."""
    plan = PagePlan()
    if not print_pages:
        return plan
    orders = [{path: n for n, (path, _block) in enumerate(enumerate_blocks(doc.blocks))} for doc in documents]
    seen: set[int] = set()
    last: tuple[int, int] = (-1, -1)  # (document, block order); front matter is (-1, -1), a title (d, -1)
    last_place: tuple[int | None, BlockPath | None] = (None, None)
    for start in sorted(print_pages, key=lambda s: s.page):
        if start.page in seen:
            continue
        seen.add(start.page)
        document = start.document if start.document is not None and 0 <= start.document < len(documents) else None
        path: BlockPath | None = None
        key = (-1, -1)
        if document is not None:
            order = orders[document]
            candidate = start.path
            while candidate and candidate not in order:
                candidate = candidate[:-1]
            path = candidate or None
            key = (document, order[path] if path is not None else -1)
        if key < last:
            document, path = last_place
        else:
            last, last_place = key, (document, path)
        if document is None and not in_pack:
            document, path = 0, None  # a single article's front matter goes before its title
        if document is None:
            plan.front.append(start)
        else:
            plan.articles.setdefault(document, {}).setdefault(path, []).append(start)
        plan.ordered.append((start, document))
    return plan
