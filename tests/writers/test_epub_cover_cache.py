"""The EPUB cover through the disk cache: same bytes with and without it, keyed by every input, corrupt
entries redrawn."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefpub.cache import DiskCache
from briefpub.fonts import FontSet
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.styling.model import StyleSheet
from briefpub.tree import Document, Meta, Paragraph, Publication, Text
from briefpub.writers import WriteOptions, get_writer
from briefpub.writers.epub.cover import Cover, CoverText, render_cover
from briefpub.writers.epub.cover_cache import cached_cover, cover_key

STYLE = load_style("briefing")
BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
TEXT = CoverText("A Title", "A subtitle", ("1 May 2024", "Outlet"), "OFFICIAL")


class Counting:
    """render_cover, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: CoverText, style: StyleSheet, fonts: FontSet) -> Cover:
        self.calls += 1
        return render_cover(text, style, fonts)


def test_a_cached_cover_is_the_drawn_one(tmp_path: Path) -> None:
    fonts = style_fonts(STYLE)
    cache, render = DiskCache(tmp_path), Counting()
    drawn = render_cover(TEXT, STYLE, fonts)
    assert cached_cover(TEXT, STYLE, fonts, cache, render) == drawn  # a miss: drawn and stored
    assert cached_cover(TEXT, STYLE, fonts, cache, render) == drawn  # a hit
    assert render.calls == 1
    assert cached_cover(TEXT, STYLE, fonts, None, render) == drawn and render.calls == 2  # no cache: drawn


def test_the_key_covers_words_style_and_fonts(tmp_path: Path) -> None:
    fonts = style_fonts(STYLE)
    base = cover_key(TEXT, STYLE, fonts)
    assert base == cover_key(TEXT, STYLE, fonts)
    others = {
        cover_key(dataclasses.replace(TEXT, title="Another"), STYLE, fonts),
        cover_key(dataclasses.replace(TEXT, marking="SECRET"), STYLE, fonts),
        cover_key(dataclasses.replace(TEXT, language="fr"), STYLE, fonts),
        cover_key(TEXT, load_style("plain"), fonts),
        cover_key(TEXT, STYLE, FontSet()),
    }
    assert base not in others and len(others) == 5


def test_a_changed_font_file_changes_the_key(tmp_path: Path) -> None:
    import os

    fonts = style_fonts(STYLE)
    face = fonts.families("heading")[0].faces[0]
    copy = tmp_path / "face.ttf"
    copy.write_bytes(Path(face.path).read_bytes())
    moved = dataclasses.replace(face, path=str(copy))
    family = dataclasses.replace(fonts.families("heading")[0], faces=(moved, moved, moved, moved))
    local = FontSet({"heading": (family,)})
    before = cover_key(TEXT, STYLE, local)
    os.utime(copy, ns=(1, 1))
    assert cover_key(TEXT, STYLE, local) != before


def test_a_corrupt_cover_entry_is_redrawn_and_rewritten(tmp_path: Path) -> None:
    fonts = style_fonts(STYLE)
    cache, render = DiskCache(tmp_path), Counting()
    drawn = cached_cover(TEXT, STYLE, fonts, cache, render)
    (entry,) = (tmp_path / "epub-cover").iterdir()
    good = entry.read_bytes()
    entry.write_bytes(good[:-10])
    assert cached_cover(TEXT, STYLE, fonts, cache, render) == drawn and render.calls == 2
    assert entry.read_bytes() == good
    # well-formed but not a cover (its header is not the font list)
    key = cover_key(TEXT, STYLE, fonts)
    cache.store("epub-cover", key, b'{"not": "a list"}\n\x89PNG')
    assert cached_cover(TEXT, STYLE, fonts, cache, render) == drawn and render.calls == 3


def test_epub_bytes_are_the_same_with_and_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fonts = style_fonts(STYLE)
    pub = Publication((Document(Meta(title="Cache test", source="Outlet", date="2024-05-01"),
                                (Paragraph((Text("Body text."),)),)),))
    writer = get_writer("epub")
    plain = writer.write(pub, STYLE, WriteOptions(build_time=BUILD, fonts=fonts))
    cached = WriteOptions(build_time=BUILD, fonts=fonts, cache=DiskCache(tmp_path))
    miss = writer.write(pub, STYLE, cached)
    assert len(list((tmp_path / "epub-cover").iterdir())) == 1

    import briefpub.writers.epub.book as book

    def forbidden(*args: object) -> Cover:
        raise AssertionError("the cover was drawn on a cache hit")

    monkeypatch.setattr(book, "render_cover", forbidden)
    hit = writer.write(pub, STYLE, cached)
    assert plain.data == miss.data == hit.data
    assert plain.fonts == miss.fonts == hit.fonts and plain.fonts


def test_without_a_disk_cache_covers_are_kept_in_memory_keyed_by_every_input(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from briefpub.writers.epub import cover_cache

    drawn: list[CoverText] = []

    def counting(text: CoverText, style: StyleSheet, fonts: FontSet) -> Cover:
        drawn.append(text)
        return render_cover(text, style, fonts)

    monkeypatch.setattr(cover_cache, "render_cover", counting)  # (the function the memory is for)
    monkeypatch.setattr(cover_cache, "_MEMORY", type(cover_cache._MEMORY)())
    fonts = style_fonts(STYLE)
    face = fonts.families("heading")[0].faces[0]
    copy = tmp_path / "face.ttf"
    copy.write_bytes(Path(face.path).read_bytes())
    moved = dataclasses.replace(face, path=str(copy))
    local = FontSet({"heading": (dataclasses.replace(fonts.families("heading")[0], faces=(moved,) * 4),)})

    def cover(text: CoverText = TEXT, style: StyleSheet = STYLE, fonts: FontSet = local) -> Cover:
        return cached_cover(text, style, fonts, None, counting)

    first = cover()
    assert cover() is first and len(drawn) == 1  # kept
    assert first == render_cover(TEXT, STYLE, local)
    cover(dataclasses.replace(TEXT, title="Another"))
    cover(style=load_style("plain"))
    assert len(drawn) == 3  # other words, another style: drawn
    os.utime(copy, ns=(1, 1))
    assert cover() is not first and len(drawn) == 4  # the font file changed: drawn again
    for i in range(cover_cache.MEMORY_SIZE + 2):
        cover(dataclasses.replace(TEXT, title=f"Title {i}"))
    assert len(cover_cache._MEMORY) == cover_cache.MEMORY_SIZE
    assert cached_cover(TEXT, STYLE, local, DiskCache(tmp_path), counting) == first  # a disk cache: not memory
    assert len(drawn) == 4 + cover_cache.MEMORY_SIZE + 2 + 1
