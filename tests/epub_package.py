"""An EPUB read back with zipfile and lxml only (package folder ``EPUB/``): the parts every EPUB test reads.

Test modules subclass :class:`EpubPackage` with what they alone need.
"""

from __future__ import annotations

import io
import zipfile
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
