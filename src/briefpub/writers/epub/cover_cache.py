"""The EPUB cover from the disk cache when its inputs have not changed (writer stage).

Drawing the cover costs a cold process more than the rest of the EPUB: importing
Pillow and HarfBuzz, loading the heading faces, drawing and JPEG-encoding
960 x 1536 pixels. The cover depends only on its words (:class:`CoverText`),
the style sheet, the heading fonts' files, Pillow and the code that draws it, so
a conversion whose cover words did not change (the same article converted again,
an edited body under the same title) takes the JPEG from the cache the pipeline
passes in ``WriteOptions.cache``. The writer itself stays pure: without a cache
(the default) the cover is drawn, and the bytes are the same either way.

Without a disk cache, a process keeps its last :data:`MEMORY_SIZE` covers in
memory instead, keyed the same way (the words, the style sheet, the heading
faces' files: path, size, modification time), so that converting the same
article again in one process (a library caller, the benchmark's warm runs)
draws nothing either: drawing and JPEG encoding were over half of a warm EPUB.
Only covers drawn by :func:`~briefpub.writers.epub.cover.render_cover` are
kept (a ``render`` passed in, as tests do, is always called).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable

from briefpub.cache import DiskCache, file_stamp, library_stamp, source_digest
from briefpub.fonts import FontSet
from briefpub.styling.model import StyleSheet
from briefpub.writers.epub import cover as cover_module
from briefpub.writers.epub import fonts as fonts_module
from briefpub.writers.epub.cover import Cover, CoverText, render_cover

__all__ = ["cached_cover", "cover_key"]

_KIND = "epub-cover"
#: Covers kept in memory per process (about 60 KB each).
MEMORY_SIZE = 8
_MEMORY: OrderedDict[tuple[object, ...], Cover] = OrderedDict()


def cover_key(text: CoverText, style: StyleSheet, fonts: FontSet) -> str:
    """The cache key of a cover: its words, the style, the heading faces' files, the libraries and the code."""
    faces = tuple((face, file_stamp(face.path)) for family in fonts.families("heading") for face in family.faces)
    code = source_digest(str(cover_module.__file__), str(fonts_module.__file__), __file__)
    libraries = (library_stamp("PIL", compiled=True), library_stamp("bidi", compiled=True))  # Pillow, python-bidi
    return DiskCache.key(_KIND, code, libraries, repr(text), repr(style), faces)


def cached_cover(text: CoverText, style: StyleSheet, fonts: FontSet, cache: DiskCache | None,
                 render: Callable[[CoverText, StyleSheet, FontSet], Cover] = render_cover) -> Cover:
    """``render(text, style, fonts)`` (:func:`~briefpub.writers.epub.cover.render_cover`), through ``cache``
    when one is given, else through the process's memory (``render_cover`` only)."""
    if cache is not None or render is not render_cover:
        return _through_disk(text, style, fonts, cache, render)
    faces = tuple((face, file_stamp(face.path)) for family in fonts.families("heading") for face in family.faces)
    key = (text, style, faces)
    found = _MEMORY.get(key)
    if found is not None:
        _MEMORY.move_to_end(key)
        return found
    found = _MEMORY[key] = render(text, style, fonts)
    while len(_MEMORY) > MEMORY_SIZE:
        _MEMORY.popitem(last=False)
    return found


def _through_disk(text: CoverText, style: StyleSheet, fonts: FontSet, cache: DiskCache | None,
                  render: Callable[[CoverText, StyleSheet, FontSet], Cover]) -> Cover:
    if cache is None:
        return render(text, style, fonts)
    key = cover_key(text, style, fonts)
    payload = cache.load(_KIND, key)
    if payload is not None:
        header, _, jpeg = payload.partition(b"\n")
        try:
            used = json.loads(header)
        except ValueError:
            used = None
        if isinstance(used, list) and all(isinstance(p, str) for p in used) and jpeg.startswith(b"\xff\xd8\xff"):
            return Cover(jpeg, tuple(used))
    cover = render(text, style, fonts)
    cache.store(_KIND, key, json.dumps(list(cover.fonts)).encode("utf-8") + b"\n" + cover.jpeg, limit=64)
    return cover
