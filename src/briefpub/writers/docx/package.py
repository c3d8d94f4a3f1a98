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

import io
import zipfile
from datetime import UTC, datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from briefpub.diagnostics import Diagnostic
from briefpub.styling.model import StyleSheet
from briefpub.tree import Publication
from briefpub.writers import WriteOptions
from briefpub.writers._common import is_safe_url
from briefpub.writers._zip import normalise_zip
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


def set_core_properties(document: Any, pub: Publication, options: WriteOptions, language: str) -> list[Diagnostic]:
    """docProps/core.xml from the publication; created/modified are the build time.

    Word limits these strings to 255 characters (python-docx refuses longer
    ones): a longer value is cut there, reported as ``writer.metadata`` (info;
    the body keeps the full text).
    """
    props = document.core_properties
    docs = pub.documents
    first = docs[0].meta
    keywords = ", ".join(dict.fromkeys(k for d in docs for k in d.meta.keywords))
    values: dict[str, str]
    if pub.pack is not None:
        authors = "; ".join(dict.fromkeys(a for d in docs for a in d.meta.authors))
        values = {
            "title": pub.pack.title,
            "subject": pub.pack.subtitle,
            "author": pub.pack.compiled_by or authors,
            "comments": "",
            "identifier": pub.pack.reference,
            "version": pub.pack.version,
        }
    else:
        values = {
            "title": first.title,
            "subject": first.subtitle,
            "author": "; ".join(first.authors),
            "comments": " ".join(first.summary),
            "identifier": first.url if is_safe_url(first.url) else "",
        }
    values.update(keywords=keywords, language=language, category="", last_modified_by=options.generator)
    diagnostics: list[Diagnostic] = []
    for name, value in values.items():
        if len(value) > _CORE_LIMIT:
            diagnostics.append(Diagnostic(
                "writer.metadata",
                f"document property {name!r} cut to {_CORE_LIMIT} characters (Word's limit)",
                text=value, severity="info",
            ))  # fmt: skip
        setattr(props, name, value[:_CORE_LIMIT])
    props.revision = 1
    when = options.build_time.astimezone(UTC).replace(tzinfo=None)
    props.created = when
    props.modified = when
    return diagnostics


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


def finish(data: bytes, when: datetime, generator: str, major: Fonts, minor: Fonts) -> bytes:
    """Replace app.xml, patch the theme, and rewrite the zip deterministically."""
    source = zipfile.ZipFile(io.BytesIO(data))
    staged = io.BytesIO()
    with source, zipfile.ZipFile(staged, "w", zipfile.ZIP_STORED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/app.xml":
                content = app_xml(generator)
            elif name.startswith("word/theme/") and name.endswith(".xml"):
                content = patch_theme(content, major, minor)
            target.writestr(name, content)
    return normalise_zip(staged.getvalue(), when, first=("[Content_Types].xml", "_rels/.rels"))
