"""The generated EPUB cover (``briefpub.writers.epub.cover``): faces loaded once per process, a changed
font file loaded again."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

from briefpub.fonts import Face
from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.writers.epub import cover
from briefpub.writers.epub.cover import CoverText, render_cover


def _heading_face() -> Face:
    return style_fonts(load_style()).families("heading")[0].face(True, False)


def test_a_face_is_loaded_once_and_again_when_its_file_changes(tmp_path: Path) -> None:
    face = _heading_face()
    copy = tmp_path / Path(face.path).name
    shutil.copy(face.path, copy)
    local = dataclasses.replace(face, path=str(copy))
    ts = cover._Typesetter(style_fonts(load_style()), "en", False)
    first = ts.font(local, 40)
    assert ts.font(local, 40) is first  # the same file, unchanged: the loaded face
    assert ts.font(local, 41) is not first  # another size
    stat = os.stat(copy)
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert ts.font(local, 40) is not first  # the file changed: loaded again


def test_the_cover_is_the_same_with_faces_loaded_or_fresh() -> None:
    text = CoverText("A title long enough to be wrapped over two lines or more", "A subtitle", ("1 May 2024",),
                     "OFFICIAL")
    sheet, fonts = load_style(), style_fonts(load_style())
    cover._truetype.cache_clear()
    fresh = render_cover(text, sheet, fonts)
    assert render_cover(text, sheet, fonts) == fresh  # faces from the cache this time
    assert cover._truetype.cache_info().hits > 0
