"""The DOCX package around the body: template clean-up, properties, settings, zip (DOCX writer stage).

python-docx starts every document from a template made on a Mac in 2013: its
core properties say "python-docx" and 2013, ``app.xml`` says "Microsoft
Macintosh Word", it carries a blank ``thumbnail.jpeg``, a bibliography
custom-XML item and a Word 2010 ``stylesWithEffects`` copy of the styles.
This module removes those parts through their relationships (so the content
types and relationships stay consistent), writes honest properties from the
publication and the build time, and rewrites the zip deterministically.
"""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime
from functools import cache
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem
from lxml import etree

from briefpub.diagnostics import Diagnostic, excerpt
from briefpub.styling.model import StyleSheet
from briefpub.tree import Publication
from briefpub.writers import WriteOptions
from briefpub.writers._zip import write_zip
from briefpub.writers.common.frame import Frames
from briefpub.writers.common.links import safe_href
from briefpub.writers.docx.oxml import (
    SETTINGS_ORDER,
    Fonts,
    ensure_child,
    insert_ordered,
    new,
    qn,
    remove_children,
)
from briefpub.writers.docx.styles import drop_unused_table_styles


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities, as ``xml.sax.saxutils.escape`` does (which would import
    ``urllib.request``, ``http.client``, ``ssl`` and ``email`` for it: ~40 ms of a cold start)."""
    return html.escape(text, quote=False)


STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_DROP_FROM_PACKAGE = (RT.THUMBNAIL,)
_DROP_FROM_DOCUMENT = (RT.CUSTOM_XML, STYLES_WITH_EFFECTS)
_CORE_LIMIT = 255  # python-docx refuses longer core-property strings
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: Word 2013 and later: no "[Compatibility Mode]" in the title bar.
COMPATIBILITY_MODE = "15"


@cache
def clean_template() -> bytes:
    """python-docx's template without its leftovers, saved once per process.

    Dropping parts and the 140 unused table styles costs more than the rest of
    a short article; every build starts from these bytes instead. The result
    depends only on the installed python-docx, never on the style sheet.
    """
    document = docx.Document()
    drop_template_parts(document)
    drop_unused_table_styles(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def new_document() -> Any:
    """A fresh python-docx document from :func:`clean_template`."""
    return docx.Document(io.BytesIO(clean_template()))


def drop_template_parts(document: Any) -> None:
    """Remove the thumbnail, custom XML and stylesWithEffects parts by dropping their relationships.

    python-docx writes only parts reachable through relationships and builds
    ``[Content_Types].xml`` from the parts it writes, so the package stays valid.
    """
    package = document.part.package
    for rels, kinds in ((package.rels, _DROP_FROM_PACKAGE), (document.part.rels, _DROP_FROM_DOCUMENT)):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in kinds]:
            del rels[rid]


def configure_settings(document: Any, sheet: StyleSheet, language: str, east_asia: str, bidi: str) -> None:
    """settings.xml: no preview picture, current compatibility mode, hyphenation, mirrored margins."""
    root: etree._Element = document.settings.element
    # No thumbnail is shipped; "proofState clean" would claim a spelling check that never ran.
    remove_children(root, "w:savePreviewPicture", "w:proofState", "w:mirrorMargins", "w:autoHyphenation")
    if sheet.page.duplex:
        ensure_child(root, "w:mirrorMargins", SETTINGS_ORDER)
    if sheet.paragraphs.hyphenate:
        ensure_child(root, "w:autoHyphenation", SETTINGS_ORDER)
    for setting in root.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), COMPATIBILITY_MODE)
    remove_children(root, "w:themeFontLang")
    attrs = {"w:val": language, "w:eastAsia": east_asia, "w:bidi": bidi}
    insert_ordered(root, new("w:themeFontLang", {k: v for k, v in attrs.items() if v}), SETTINGS_ORDER)


def set_core_properties(document: Any, pub: Publication, framed: Frames, options: WriteOptions) -> list[Diagnostic]:
    """docProps/core.xml from the publication; created/modified are the build time.

    The title is the pack's or the article's (the localised "Untitled" when it
    has none: a document title is required for accessibility); the protective
    marking is the category (Word: File > Info > Properties > Categories) and
    also a custom property (:func:`custom_xml`). Word limits these strings to
    255 characters (python-docx refuses longer ones): a longer value is cut
    there, reported as ``writer.metadata`` (info; the body keeps the full text).
    """
    props = document.core_properties
    docs = pub.documents
    first = framed.articles[0]
    keywords = ", ".join(dict.fromkeys(k for d in docs for k in d.meta.keywords))
    values: dict[str, str]
    if framed.pack is not None:
        pack = framed.pack
        authors = "; ".join(dict.fromkeys(a for d in docs for a in d.meta.authors))
        values = {
            "title": pack.title,
            "subject": pack.subtitle,
            "author": pack.meta.compiled_by or authors,
            "comments": "",
            "identifier": pack.meta.reference,
            "version": pack.meta.version,
            "category": pack.marking,
        }
    else:
        meta = first.document.meta
        link = first.byline.source_link or next((d.link for d in first.attribution if d.link is not None), None)
        values = {
            "title": first.title,
            "subject": first.subtitle,
            "author": "; ".join(meta.authors),
            "comments": " ".join(meta.summary),
            "identifier": link.href if link is not None else (safe_href(meta.url) or ""),
            "category": first.marking,
        }
    values.update(keywords=keywords, language=framed.language, last_modified_by=options.generator)
    diagnostics: list[Diagnostic] = []
    for name, value in values.items():
        if len(value) > _CORE_LIMIT:
            diagnostics.append(Diagnostic(
                "writer.metadata",
                f"document property {name!r} cut to {_CORE_LIMIT} characters (Word's limit)",
                text=excerpt(value), severity="info",
            ))  # fmt: skip
        setattr(props, name, value[:_CORE_LIMIT])
    props.revision = 1
    when = options.build_time.astimezone(UTC).replace(tzinfo=None)
    props.created = when
    props.modified = when
    return diagnostics


#: The custom document properties holding the protective marking (Word: File > Info > Properties >
#: Advanced > Custom), under the two names records systems look for.
MARKING_PROPERTIES = ("Protective marking", "Classification")
_CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
#: The format id every custom property carries (the one Office writes).
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_xml(marking: str) -> bytes:
    """docProps/custom.xml with the marking under :data:`MARKING_PROPERTIES`."""
    rows = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{escape(name)}"><vt:lpwstr>{escape(marking)}</vt:lpwstr>'
        "</property>"
        for pid, name in enumerate(MARKING_PROPERTIES, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{_CUSTOM_PROPERTIES}" xmlns:vt="{_VT}">{rows}</Properties>'
    ).encode()


def _add_custom_part(content_types: bytes, rels: bytes) -> tuple[bytes, bytes]:
    """[Content_Types].xml and _rels/.rels with the custom-properties part added."""
    ct_root = etree.fromstring(content_types)
    ns = ct_root.nsmap[None]
    override = etree.SubElement(ct_root, f"{{{ns}}}Override")
    override.set("PartName", "/docProps/custom.xml")
    override.set("ContentType", _CUSTOM_TYPE)
    rel_root = etree.fromstring(rels)
    rel_ns = rel_root.nsmap[None]
    ids = {r.get("Id") for r in rel_root}
    number = 1
    while f"rId{number}" in ids:
        number += 1
    rel = etree.SubElement(rel_root, f"{{{rel_ns}}}Relationship")
    rel.set("Id", f"rId{number}")
    rel.set("Type", _CUSTOM_REL)
    rel.set("Target", "docProps/custom.xml")
    return (
        etree.tostring(ct_root, xml_declaration=True, encoding="UTF-8", standalone=True),
        etree.tostring(rel_root, xml_declaration=True, encoding="UTF-8", standalone=True),
    )


def app_xml(generator: str) -> bytes:
    """docProps/app.xml naming briefpub as the application (no template statistics)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{escape(generator)}</Application>"
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode()


def patch_theme(data: bytes, major: Fonts, minor: Fonts) -> bytes:
    """Point the theme's major/minor fonts at the style sheet's heading/body families.

    Styles no longer reference theme fonts, but Word offers the theme fonts
    ("+Headings", "+Body") for anything a user adds; they should match.
    """
    root = etree.fromstring(data)
    for kind, fonts in (("majorFont", major), ("minorFont", minor)):
        for collection in root.iter(f"{{{_A}}}{kind}"):
            for slot, family in (("latin", fonts.latin), ("ea", fonts.east_asia), ("cs", fonts.cs)):
                element = collection.find(f"{{{_A}}}{slot}")
                if element is not None:
                    element.set("typeface", family)
    patched: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return patched


def package_entries(document: Any) -> list[tuple[str, bytes]]:
    """The package's zip entries (name, content) as python-docx's ``save`` would write them, with no zip:
    ``[Content_Types].xml``, the package relationships, then each part and its relationships."""
    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    content_types: Any = _ContentTypesItem  # (untyped in python-docx)
    entries = [(CONTENT_TYPES_URI.membername, content_types.from_parts(parts).blob),
               (PACKAGE_URI.rels_uri.membername, package.rels.xml)]  # fmt: skip
    for part in parts:
        entries.append((part.partname.membername, part.blob))
        if len(part.rels):
            entries.append((part.partname.rels_uri.membername, part.rels.xml))
    return entries


def finish(document: Any, when: datetime, generator: str, major: Fonts, minor: Fonts, marking: str = "") -> bytes:
    """The DOCX bytes, zipped once, deterministically: app.xml replaced, the theme patched, the marking's
    custom properties added (python-docx's own save, then reading and re-zipping that, cost two thirds of a
    short article's DOCX)."""
    entries: list[tuple[str, bytes]] = []
    for name, content in package_entries(document):
        if name == "docProps/app.xml":
            content = app_xml(generator)
        elif name.startswith("word/theme/") and name.endswith(".xml"):
            content = patch_theme(content, major, minor)
        entries.append((name, content))
    if marking:
        names = [name for name, _ in entries]
        types_at, rels_at = names.index("[Content_Types].xml"), names.index("_rels/.rels")
        content_types, rels = _add_custom_part(entries[types_at][1], entries[rels_at][1])
        entries[types_at], entries[rels_at] = ("[Content_Types].xml", content_types), ("_rels/.rels", rels)
        entries.append(("docProps/custom.xml", custom_xml(marking)))
    return write_zip(entries, when, first=("[Content_Types].xml", "_rels/.rels"))
