"""Text and structure read back from each output format, for cross-format tests."""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile

from lxml import etree

XHTML_NS = "{http://www.w3.org/1999/xhtml}"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_text(data: bytes) -> str:
    """Every page's text, in order (pypdf)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


_RTL_CHAR = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def logical_order(text: str) -> str:
    """Extracted PDF lines with their right-to-left runs back in reading order (the words of each RTL
    run reversed), NFKC-normalised (Arabic presentation forms back to letters)."""
    out = []
    for line in text.splitlines():
        result: list[str] = []
        run: list[str] = []
        for word in line.split():
            if _RTL_CHAR.search(word) or (run and not re.search(r"\w", word)):
                run.append(word)
            else:
                result.extend(reversed(run))
                run = []
                result.append(word)
        result.extend(reversed(run))
        out.append(" ".join(result))
    return unicodedata.normalize("NFKC", "\n".join(out))


def epub_spine_documents(data: bytes) -> list[bytes]:
    """The XHTML documents of an EPUB in reading (spine) order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")  # type: ignore[union-attr]
        opf = etree.fromstring(z.read(opf_path))
        base = posixpath.dirname(opf_path)
        manifest = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
        docs = []
        for ref in opf.iter("{*}itemref"):
            href = manifest[ref.get("idref")]
            docs.append(z.read(posixpath.normpath(posixpath.join(base, href))))
        return docs


def epub_text(data: bytes) -> str:
    """The text of an EPUB's spine documents, block by block."""
    parts: list[str] = []
    for doc in epub_spine_documents(data):
        root = etree.fromstring(doc, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        body = root.find(f"{XHTML_NS}body")
        if body is None:
            continue
        for el in body.iter():
            if el.text:
                parts.append(el.text)
            if el.tail:
                parts.append(el.tail)
            if el.tag in (f"{XHTML_NS}p", f"{XHTML_NS}li", f"{XHTML_NS}br", f"{XHTML_NS}td", f"{XHTML_NS}th"):
                parts.append("\n")
    return "".join(parts)


def docx_text(data: bytes) -> str:
    """The text of a DOCX's main document part, paragraph by paragraph (tables included)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    lines = []
    for para in root.iter(f"{W_NS}p"):
        text = []
        for node in para.iter(f"{W_NS}t", f"{W_NS}tab", f"{W_NS}br", f"{W_NS}instrText"):
            if node.tag == f"{W_NS}t":
                text.append(node.text or "")
            elif node.tag != f"{W_NS}instrText":
                text.append(" ")
        lines.append("".join(text))
    return "\n".join(lines)


def text_of(fmt: str, data: bytes) -> str:
    return {"pdf": pdf_text, "epub": epub_text, "docx": docx_text}[fmt](data)
