"""An EPUB read back with zipfile and lxml only (package folder ``EPUB/``): the parts every EPUB test reads.

Test modules subclass :class:`EpubPackage` with what they alone need; :func:`rewrite_entry` makes mutants.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from lxml import etree


@dataclass
class EpubPackage:
    """The zip, its content documents and the package document."""

    data: bytes

    @cached_property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.data))

    def doc(self, href: str) -> etree._Element:
        return etree.fromstring(self.zip.read(f"EPUB/{href}"))

    @cached_property
    def opf(self) -> etree._Element:
        return etree.fromstring(self.zip.read("EPUB/content.opf"))

    @cached_property
    def documents(self) -> list[str]:
        """The content documents' hrefs, in manifest order."""
        return [el.get("href") for el in self.opf.iter("{*}item") if el.get("media-type") == "application/xhtml+xml"]


def rewrite_entry(data: bytes, entry: str, change: Callable[[bytes], bytes]) -> bytes:
    """The EPUB ``data`` with one zip entry changed (a mutant, to prove a checker reports it)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == entry:
                new = change(content)
                assert new != content, f"mutation of {entry} changed nothing"
                content = new
            dst.writestr(info, content)
    return out.getvalue()
