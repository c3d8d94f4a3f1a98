"""The font table: every family declared with its fallbacks, the faces the text uses embedded (DOCX writer stage).

Word on Windows or macOS rarely has DejaVu or Noto installed. Left alone it
substitutes a font of its own choosing, by name only, and the briefing
reflows. Two things prevent that:

* **Declarations.** Every family a style, a list or a run names gets a
  ``w:font`` entry in ``word/fontTable.xml`` with what Word's substitution
  uses: ``w:altName`` (the style sheet's next families for the same role),
  ``w:panose1`` (the face's PANOSE class), ``w:charset``, ``w:family``
  (roman, swiss or modern), ``w:pitch`` and ``w:sig`` (the OS/2 Unicode and
  code-page ranges), all read from the font files with fontTools.
* **Embedding** (ECMA-376 Part 1, 17.8.1). Each face the text is set in
  (resolved from paragraph styles, character styles and direct bold/italic,
  per script slot: Latin, East Asian, complex script) is subset to the
  128-code-point blocks of the characters it sets, with HarfBuzz's
  subsetter (uharfbuzz; shaping tables kept; Latin and common punctuation always
  kept, since an embedded font stands in for the installed one of the same
  name for the whole document), obfuscated with a key derived from its
  bytes (so builds stay byte-identical) and stored as
  ``word/fonts/fontN.odttf``, referenced by ``w:embedRegular`` /
  ``w:embedBold`` / ``w:embedItalic`` / ``w:embedBoldItalic``; ``settings.xml``
  gets ``w:embedTrueTypeFonts`` and ``w:saveSubsetFonts``. A face whose OS/2
  ``fsType`` forbids embedding (restricted licence, bitmap only) is only
  declared; one that forbids subsetting is embedded whole; a font file over
  :data:`EMBED_LIMIT` bytes (a CJK collection) is only declared, which keeps
  documents small and the writer fast.

:func:`embedded` returns the font files embedded, which the writer reports in
``WriteResult.fonts``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from briefpub.fonts import Face, Family, FontSet, hb_face
from briefpub.styling.model import StyleSheet, TextStyle
from briefpub.writers.docx import styles as st
from briefpub.writers.docx.oxml import SETTINGS_ORDER, ensure_child, qn, sub, val

__all__ = ["EMBED_LIMIT", "FaceUse", "embed_and_declare"]

#: Font files larger than this are declared, not embedded (subsetting them takes seconds).
EMBED_LIMIT = 4_000_000
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
#: OS/2 fsType bits: restricted licence (no embedding), bitmap embedding only, no subsetting.
FS_RESTRICTED, FS_NO_SUBSET, FS_BITMAP_ONLY = 0x0002, 0x0100, 0x0200
_SLOTS = (("embedRegular", False, False), ("embedBold", True, False), ("embedItalic", False, True),
          ("embedBoldItalic", True, True))  # fmt: skip
_COMPLEX = ("Arab", "Hebr", "Deva", "Thai", "Syrc", "Thaa", "Beng", "Taml", "Guru", "Gujr", "Khmr", "Laoo")


@dataclass(frozen=True, slots=True)
class FaceUse:
    """What a paragraph or character style sets text in: font role, bold, italic."""

    role: str
    bold: bool
    italic: bool


def _use(text: TextStyle, *, bold: bool | None = None, italic: bool | None = None) -> FaceUse:
    return FaceUse(text.font, text.bold if bold is None else bold, text.italic if italic is None else italic)


def style_uses(sheet: StyleSheet) -> dict[str, FaceUse]:
    """The face of every paragraph style the writer configures (mirrors :mod:`.styles`)."""
    body = _use(sheet.body)
    uses = {
        st.NORMAL: body, st.BODY: body, st.TITLE: _use(sheet.title), st.SUBTITLE: _use(sheet.subtitle),
        st.BYLINE: _use(sheet.byline), st.ARTICLE_LABEL: _use(sheet.byline, bold=True),
        st.TOC_HEADING: _use(sheet.title), st.QUOTE: _use(sheet.quote), st.CAPTION: _use(sheet.caption),
        st.HEADER: FaceUse("heading", False, False), st.FOOTER: FaceUse("heading", False, False),
        st.MARKING: FaceUse("heading", sheet.marking.bold, False),
        st.KEY_POINTS: _use(sheet.heading3, bold=True, italic=False), st.KEY_POINT: body,
        st.SUMMARY_ENTRY: _use(sheet.heading3, bold=True, italic=False),
        st.ATTRIBUTION: _use(sheet.byline), st.TABLE_TEXT: _use(sheet.table),
        st.END_MARK: _use(sheet.byline, bold=True), st.BLANK_NOTE: _use(sheet.body, italic=True),
        st.TOC1: _use(sheet.heading3, bold=True, italic=False), st.TOC2: _use(sheet.body, bold=False, italic=False),
        st.TOC3: _use(sheet.body, bold=False, italic=False),
    }  # fmt: skip
    uses[st.heading_id(1)] = _use(sheet.title)
    for level in range(2, 10):
        uses[f"Heading{level}"] = _use(sheet.heading(level - 1))
    for depth in range(1, st.MAX_LIST_DEPTH + 1):
        for style_id in (st.bullet_id(depth), st.number_id(depth), st.continue_id(depth)):
            uses[style_id] = body
    return uses


def slot_of(char: str) -> str:
    """Which ``w:rFonts`` slot Word sets ``char`` in: ``latin``, ``east_asia`` or ``cs``."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return "east_asia"
    if unicodedata.bidirectional(char) in ("R", "AL", "AN"):
        return "cs"
    code = ord(char)
    if 0x0900 <= code <= 0x0DFF or 0x0E00 <= code <= 0x0EFF or 0x1780 <= code <= 0x17FF:
        return "cs"
    return "latin"


@functools.cache
def _latin_only() -> frozenset[str]:
    """Characters :func:`slot_of` puts in the ``latin`` slot, among the common ones (Latin, Greek,
    Cyrillic, general punctuation): a run made only of them is set in its Latin face whole."""
    candidates = itertools.chain(range(0x590), range(0x2000, 0x2070))
    return frozenset(c for c in map(chr, candidates) if slot_of(c) == "latin")


def _toggle(element: etree._Element | None) -> bool | None:
    if element is None:
        return None
    return element.get(qn("w:val"), "1") not in ("0", "false", "off")


class _Collector:
    """Characters per face, read from WordprocessingML with the style and run properties in force."""

    def __init__(self, uses: Mapping[str, FaceUse], families: Mapping[str, Family],
                 role_fonts: Mapping[str, Any]) -> None:  # fmt: skip
        self.uses = uses
        self.families = families
        self.role_fonts = role_fonts
        self.chars: dict[Face, set[int]] = {}

    def add(self, family_name: str, bold: bool, italic: bool, text: str) -> None:
        family = self.families.get(family_name.casefold())
        if family is None or not text:
            return
        face = family.face(bold, italic)
        self.chars.setdefault(face, set()).update(map(ord, text))

    def paragraph(self, p: etree._Element) -> None:
        style_el = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        use = self.uses.get(style_el.get(qn("w:val"), "") if style_el is not None else st.NORMAL,
                            self.uses[st.NORMAL])  # fmt: skip
        for run in p.iter(qn("w:r")):
            text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            if not text:
                continue
            role, bold, italic = use.role, use.bold, use.italic
            props = run.find(qn("w:rPr"))
            cs_override = ""
            if props is not None:
                rstyle = props.find(qn("w:rStyle"))
                kind = rstyle.get(qn("w:val"), "") if rstyle is not None else ""
                if kind == st.STRONG:
                    bold = not bold
                elif kind == st.EMPHASIS:
                    italic = not italic
                elif kind == st.CODE:
                    role = "mono"
                direct_b, direct_i = _toggle(props.find(qn("w:b"))), _toggle(props.find(qn("w:i")))
                bold = bold if direct_b is None else direct_b
                italic = italic if direct_i is None else direct_i
                fonts = props.find(qn("w:rFonts"))
                if fonts is not None:
                    cs_override = fonts.get(qn("w:cs"), "")
            slots = self.role_fonts[role]
            if _latin_only().issuperset(text):
                self.add(slots.latin, bold, italic, text)  # (what the loop below does for such a run)
                continue
            by_slot: dict[str, list[str]] = {"latin": []}
            for char in text:
                by_slot.setdefault(slot_of(char), []).append(char)
            # Spaces, digits and punctuation inside right-to-left or East Asian text are set in
            # that script's font: every face a run uses gets the run's neutral characters too.
            shared = "".join(by_slot["latin"])
            for slot, chars in by_slot.items():
                name = cs_override if slot == "cs" and cs_override else getattr(slots, slot)
                if chars or slot == "latin":
                    self.add(name, bold, italic, "".join(chars) + ("" if slot == "latin" else shared))

    def tree(self, root: etree._Element) -> None:
        for p in root.iter(qn("w:p")):
            self.paragraph(p)


#: Kept in every subset whatever the text: Latin (ASCII to Latin Extended-B), general punctuation,
#: currency and letterlike symbols. An embedded font replaces the installed one of the same name for
#: the whole document, so what an editor is likely to type next must be there too.
ALWAYS = frozenset(range(0x20, 0x250)) | frozenset(range(0x2000, 0x20D0)) | frozenset(range(0x2100, 0x2150))


def _blocks(codepoints: Iterable[int]) -> frozenset[int]:
    """:data:`ALWAYS` and the whole 128-code-point blocks holding ``codepoints`` (stable for similar texts)."""
    pages = {cp >> 7 for cp in codepoints}
    return ALWAYS | frozenset(cp for page in pages for cp in range(page << 7, (page + 1) << 7))


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=128)
def _font_info(path: str, index: int) -> dict[str, Any]:
    """PANOSE, ranges, pitch and fsType of a face (fontTools)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        os2 = font.get("OS/2")
        post = font.get("post")
        info: dict[str, Any] = {"fs_type": 0, "panose": "", "sig": None, "fixed": bool(post and post.isFixedPitch)}
        if os2 is not None:
            p = os2.panose
            panose = (p.bFamilyType, p.bSerifStyle, p.bWeight, p.bProportion, p.bContrast, p.bStrokeVariation,
                      p.bArmStyle, p.bLetterForm, p.bMidline, p.bXHeight)  # fmt: skip
            info["panose"] = "".join(f"{v:02X}" for v in panose)
            info["fs_type"] = int(os2.fsType)
            ranges = [int(getattr(os2, f"ulUnicodeRange{n}", 0)) for n in range(1, 5)]
            pages = [int(getattr(os2, f"ulCodePageRange{n}", 0)) for n in range(1, 3)]
            info["sig"] = (*ranges, *pages)
            info["family_type"], info["serif"], info["proportion"] = p.bFamilyType, p.bSerifStyle, p.bProportion
    return info


@functools.lru_cache(maxsize=64)
def _subset(path: str, index: int, codepoints: frozenset[int], whole: bool) -> bytes:
    """The face as a font file holding only ``codepoints`` (shaping tables kept; deterministic).

    HarfBuzz's subsetter (uharfbuzz, already the shaping dependency): about 2 ms a face where
    fontTools' took 0.3-0.5 s (decompiling GSUB and GPOS), which made a cold DOCX conversion
    take seconds. Its default keeps the layout features text shaping uses, name IDs 0-6 and
    the ``.notdef`` outline asked for here; hinting is dropped.
    """
    if whole:
        return Path(path).read_bytes()
    import uharfbuzz as hb

    face = hb_face(path, index)
    wanted = hb.SubsetInput()
    for point in sorted(codepoints):
        wanted.unicode_set.add(point)
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE | hb.SubsetFlags.NO_HINTING
    subset = hb.subset(face, wanted)
    if subset is None:
        raise ValueError(f"HarfBuzz could not subset {path}")
    return bytes(subset.blob.data)


def obfuscate(data: bytes) -> tuple[bytes, str]:
    """ECMA-376 font obfuscation: the first 32 bytes XORed with the key GUID's bytes in reverse order.

    The key is derived from the font bytes (uuid5-like, from SHA-256), so the
    same font gives the same part and key in every build.
    """
    key = uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])
    guid = "{" + str(key).upper() + "}"
    mask = bytes.fromhex(key.hex)[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:], guid


def _family_kind(info: Mapping[str, Any]) -> str:
    if info.get("fixed") or info.get("proportion") == 9:
        return "modern"
    if info.get("family_type") == 2:
        return "swiss" if info.get("serif") in (11, 12, 13) else "roman"
    return "auto"


def embed_and_declare(
    document: Any,
    sheet: StyleSheet,
    fontset: FontSet,
    role_fonts: Mapping[str, Any],
    roots: Iterable[etree._Element],
    *,
    embed: bool = True,
) -> tuple[str, ...]:
    """Rewrite the font table (declarations, embedded subsets) and return the font files embedded.

    ``roots`` are the XML trees whose text is set (body, headers, footers);
    ``role_fonts`` maps each role to its :class:`~briefpub.writers.docx.oxml.Fonts`.
    """
    families: dict[str, Family] = {}
    alternatives: dict[str, list[str]] = {}
    for role in ("body", "heading", "mono"):
        names = [f.name for f in fontset.families(role)]
        for family in fontset.families(role):
            families.setdefault(family.name.casefold(), family)
            alternatives.setdefault(family.name.casefold(), [n for n in names if n != family.name][:3])
    collector = _Collector(style_uses(sheet), families, role_fonts)
    for root in roots:
        collector.tree(root)
    # Bullets and page numbers are set in the body and furniture faces.
    body = role_fonts["body"]
    collector.add(body.latin, False, False, sheet.paragraphs.bullet)
    collector.add(role_fonts["heading"].latin, False, False, "0123456789")

    font_table = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    root = etree.fromstring(font_table.blob)
    for child in list(root):
        root.remove(child)
    named = _named_families(document)
    embedded: list[str] = []
    number = 0
    for name in sorted(named, key=str.casefold):
        found = families.get(name.casefold())
        font = sub(root, "w:font", {"w:name": name})
        if found is None:
            continue
        family = found
        info = _font_info(family.face(False, False).path, family.face(False, False).index)
        alts = alternatives.get(name.casefold(), [])
        if alts:
            val(font, "w:altName", ",".join(alts))
        if info.get("panose"):
            val(font, "w:panose1", info["panose"])
        val(font, "w:charset", "00")
        val(font, "w:family", _family_kind(info))
        val(font, "w:pitch", "fixed" if info.get("fixed") else "variable")
        if info.get("sig"):
            sig = info["sig"]
            sub(font, "w:sig", {
                "w:usb0": f"{sig[0]:08X}", "w:usb1": f"{sig[1]:08X}", "w:usb2": f"{sig[2]:08X}",
                "w:usb3": f"{sig[3]:08X}", "w:csb0": f"{sig[4]:08X}", "w:csb1": f"{sig[5]:08X}",
            })  # fmt: skip
        if not embed:
            continue
        for tag, bold, italic in _SLOTS:
            face = family.face(bold, italic)
            if face.bold != bold or face.italic != italic or face not in collector.chars:
                continue  # a borrowed face (no true italic): the reader synthesises it
            face_info = _font_info(face.path, face.index)
            fs_type = int(face_info.get("fs_type", 0))
            if fs_type & (FS_RESTRICTED | FS_BITMAP_ONLY) or os.path.getsize(face.path) > EMBED_LIMIT:
                continue
            whole = bool(fs_type & FS_NO_SUBSET)
            data = _subset(face.path, face.index, _blocks(collector.chars[face]), whole)
            blob, key = obfuscate(data)
            number += 1
            part = Part(PackURI(f"/word/fonts/font{number}.odttf"), OBFUSCATED_FONT, blob, document.part.package)
            rid = font_table.relate_to(part, RT.FONT)
            attrs = {"r:id": rid, "w:fontKey": key}
            if not whole:
                attrs["w:subsetted"] = "1"
            sub(font, f"w:{tag}", attrs)
            embedded.append(face.path)
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if embedded:
        settings = document.settings.element
        ensure_child(settings, "w:embedTrueTypeFonts", SETTINGS_ORDER)
        ensure_child(settings, "w:saveSubsetFonts", SETTINGS_ORDER)
    return tuple(dict.fromkeys(embedded))


_RFONTS_SLOTS = tuple(qn(f"w:{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs"))


def _named_families(document: Any) -> set[str]:
    """Every family an ``w:rFonts`` of the styles, the numbering or the body names."""
    names: set[str] = set()
    roots = [document.styles.element, document.element, document.part.numbering_part.element]
    for root in roots:
        for fonts in root.iter(qn("w:rFonts")):
            for slot in _RFONTS_SLOTS:
                value = fonts.get(slot)
                if value:
                    names.add(value)
    return names

