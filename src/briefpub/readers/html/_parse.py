"""Safe parsing of web pages and removal of active content (reader stage, HTML).

Pages are parsed by libxml2's HTML parser through lxml with the network off,
no huge-tree mode, comments and processing instructions dropped. The HTML
parser never loads external entities or DTDs and does not expand entity
definitions; a document type declaration that defines entities is cut out
before parsing anyway and reported. libxml2 stops at 256 levels of nesting and
silently drops the rest of the page, so such a page is refused with a clear
error instead of being read truncated. libxml2 checks each attribute of a tag
against all the earlier ones (100,000 attributes on one element take minutes),
so before parsing, a start tag's attributes beyond the first
:data:`~briefpub.readers.common.limits.MAX_ATTRIBUTES` are cut off and reported
(:func:`_cap_attributes`); a page of more than
:data:`~briefpub.readers.common.limits.MAX_HTML_ELEMENTS` elements is refused.

:func:`neutralise` then removes everything that could act (scripts, styles,
frames, plug-ins, forms, templates, SVG), media players, and every event
handler attribute, reporting each removal. Only text, link targets, image
references and alt text ever leave the HTML reader, so no attribute can reach
an output; removing them is belt and braces.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from typing import cast

from lxml import etree

from briefpub._lazyre import lazy_re
from briefpub.errors import InputError
from briefpub.readers.common.limits import MAX_ATTRIBUTES, MAX_HTML_ELEMENTS
from briefpub.readers.common.notes import EXCERPT, Notes, excerpt
from briefpub.tree import sanitise

_C1_REFERENCE = lazy_re(r"&#((?:1[2-5][0-9])|(?:[xX]0*[89][0-9a-fA-F]));")
#: Characters lxml refuses in a text or an attribute it is given (libxml2's parser lets references through).
_NUMERIC_REFERENCE = lazy_re(r"&#(?:[xX]([0-9a-fA-F]*)|([0-9]*))")
_XML_REFUSED = lazy_re("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: The ASCII ones among them, as bytes: deleted from a page's UTF-8 bytes with ``bytes.translate``
#: to tell whether it holds any (several times faster than a regex or a scan a character).
_XML_REFUSED_BYTES = bytes(c for c in range(0x20) if chr(c) not in "\t\n\r")
_XML_REFUSED_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
_VOID_START = lazy_re(
    # no "<" inside: linear however many there are ("<wbr title='a>b'>" is left to the mending)
    r"<(embed|keygen|source|track|wbr|bgsound|image|command|nextid)\b([^<>]{0,2000})>",
    re.IGNORECASE,
)
_TITLE_OPEN = lazy_re(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_CLOSE = lazy_re(r"</title", re.IGNORECASE)
_TAG_START = lazy_re(r"<[A-Za-z/!]")
_DOCTYPE_SUBSET = lazy_re(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)

#: Elements that run code, load other documents or only style the page.
ACTIVE_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
        "template", "svg", "link", "base", "portal", "noembed", "noframes", "param", "meta",
        "xml", "import",
    }
)
#: Players and drawings the tree cannot hold (their fallback text is reported).
MEDIA_TAGS = frozenset({"video", "audio", "canvas", "map", "dialog"})
#: Void elements libxml2's HTML 4 parser may wrap around what follows them: unwrapped.
UNWRAP_TAGS = frozenset({"source", "track"})
#: Elements that never have content (HTML5 void elements, and obsolete ones the HTML
#: parsing rules still treat as void) that libxml2's HTML 4 parser does not know: it nests
#: whatever follows them inside them, so that content is moved back out after parsing.
#: (``area``, ``base``, ``br``, ``col``, ``hr``, ``img``, ``input``, ``link``, ``meta``,
#: ``param``, ``basefont``, ``frame`` and ``isindex`` libxml2 already closes itself.)
VOID_TAGS = frozenset({"embed", "keygen", "source", "track", "wbr", "bgsound", "image", "command", "nextid"})
FORM_CONTROLS = frozenset(
    {"input", "button", "select", "textarea", "datalist", "output", "keygen", "option", "optgroup", "label"}
)
#: Every tag :func:`neutralise` unwraps or removes.
_NEUTRALISED_TAGS = UNWRAP_TAGS | ACTIVE_TAGS | MEDIA_TAGS | FORM_CONTROLS | {"form"}
_SCRIPT_URL = lazy_re(r"^[\x00-\x20]*(?:java|vb)[\x00-\x20]*script[\x00-\x20]*:", re.IGNORECASE)
_PER_KIND_LIMIT = 20  # body elements reported one by one before summarising
#: An attribute of a start tag: a name, then maybe ``=`` and a value (generous: libxml2 takes names
#: with quotes or ``<`` in them too).
_ATTRIBUTE = r"""[^\s/>=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?"""
#: A start tag's name and attributes, up to where its attributes end (the repetition is possessive and
#: nothing follows it: no backtracking, linear).
_TAG_WITH_ATTRIBUTES = lazy_re(r"<[A-Za-z][^\s/<>]*(?:[\s/]+" + _ATTRIBUTE + r")*+")
_ONE_ATTRIBUTE = lazy_re(r"[\s/]+(" + _ATTRIBUTE + ")")


def _strip_doctype_subset(text: str, notes: Notes) -> str:
    head = text[:200_000]
    m = _DOCTYPE_SUBSET.search(head)
    if not m:
        return text
    notes.add(
        "reader.unsupported",
        "document type declaration with entity definitions ignored (entities are never expanded)",
        m.group(0),
        severity="warning",
    )
    return text[: m.start()] + "<!DOCTYPE html>" + text[m.end() :]


def _close_unclosed_title(text: str, notes: Notes) -> str:
    """End a ``<title>`` that is never closed at the next tag, reporting it.

    A title's content is text up to ``</title>``: without one, the parser (and a
    browser) makes the rest of the page the title, markup and article included.
    """
    opening = _TITLE_OPEN.search(text)
    if opening is None or _TITLE_CLOSE.search(text, opening.end()):
        return text
    tag = _TAG_START.search(text, opening.end())
    if tag is None:
        return text
    notes.add("reader.metadata", "<title> never closed: ended at the next tag", text[opening.end() : tag.start()],
              severity="warning")
    return text[: tag.start()] + "</title>" + text[tag.start() :]


def _self_closing(m: re.Match[str]) -> str:
    attributes = m.group(2)
    return m.group(0) if attributes.endswith("/") else f"<{m.group(1)}{attributes}/>"


def _close_void_tags(text: str) -> str:
    """Write void start tags libxml2 does not know (:data:`VOID_TAGS`) as ``<wbr/>``, which it closes.

    Otherwise it nests what follows inside each (256 ``<wbr>`` in a paragraph would
    pass its depth limit); :func:`_close_void_elements` mends any it still nests.
    """
    return _VOID_START.sub(_self_closing, text)


def _windows_1252_reference(m: re.Match[str]) -> str:
    number = int(m.group(1)[1:], 16) if m.group(1)[0] in "xX" else int(m.group(1))
    char = bytes([number]).decode("cp1252", errors="ignore")
    return char or m.group(0)


def _fix_c1_references(text: str) -> str:
    """``&#147;`` means U+201C in browsers (Windows-1252), not the C1 control U+0093."""
    return _C1_REFERENCE.sub(_windows_1252_reference, text)


def _parser() -> etree.HTMLParser:
    return etree.HTMLParser(
        encoding="utf-8",
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _cap_attributes(text: str, notes: Notes) -> str:
    """``text`` with the attributes of each start tag beyond the first :data:`MAX_ATTRIBUTES` cut off
    (reported, the first few one by one): libxml2's cost is quadratic in the number of a tag's attributes."""
    parts: list[str] = []
    done = line = counted = capped = ignored = 0
    shortest = 2 * MAX_ATTRIBUTES  # each attribute takes a separator and a name character
    for start, end in map(re.Match.span, _TAG_WITH_ATTRIBUTES.finditer(text)):  # (thousands of tags a page)
        if end - start < shortest:
            continue
        attributes = list(_ONE_ATTRIBUTE.finditer(text, start + 1, end))
        if len(attributes) <= MAX_ATTRIBUTES:
            continue
        parts.append(text[done : attributes[MAX_ATTRIBUTES - 1].end()])
        done = end
        capped += 1
        ignored += len(attributes) - MAX_ATTRIBUTES
        if capped > _PER_KIND_LIMIT:
            continue
        line += text.count("\n", counted, start)
        counted = start
        name = text[start + 1 : attributes[0].start()].strip().lower()
        notes.add(
            "reader.unsupported",
            f"{len(attributes) - MAX_ATTRIBUTES:,} attribute(s) of a <{name}> beyond the first "
            f"{MAX_ATTRIBUTES:,} ignored",
            attributes[MAX_ATTRIBUTES].group(1),
            line=line + 1,
            severity="warning",
        )
    if capped > _PER_KIND_LIMIT:
        notes.add("reader.unsupported", f"{capped - _PER_KIND_LIMIT:,} more element(s) with over "
                  f"{MAX_ATTRIBUTES:,} attributes: {ignored:,} attribute(s) ignored in all", severity="warning")
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _check_elements(root: etree._Element, source: str) -> None:
    if next(itertools.islice(root.iter(), MAX_HTML_ELEMENTS, None), None) is not None:  # counted in C
        raise InputError(
            f"{source}: more than {MAX_HTML_ELEMENTS:,} HTML elements: this does not look like an article"
        )


def parse_document(text: str, source: str, notes: Notes) -> etree._Element:
    """Parse a whole page (decoded text) into an lxml tree rooted at ``<html>``."""
    text = _cap_attributes(
        _fix_c1_references(_close_void_tags(_close_unclosed_title(_strip_doctype_subset(text, notes), notes))),
        notes,
    )
    parser = _parser()
    data = text.encode("utf-8")
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{source}: not readable as HTML ({exc})") from None
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            raise InputError(
                f"{source}: HTML nested more than 255 elements deep; refusing to read a page the parser "
                "would truncate"
            )
    if root is None:
        raise InputError(f"{source}: no HTML content")
    _check_elements(root, source)
    refused = len(data.translate(None, _XML_REFUSED_BYTES)) != len(data) or any(
        c in data for c in _XML_REFUSED_NONCHARACTERS
    )
    _make_editable(root, notes, references=refused or _refers_to_refused(text), braces="{" in text)
    _close_void_elements(root)
    return root


def _refers_to_refused(text: str) -> bool:
    """True when ``text`` may hold a numeric character reference to a character lxml refuses (a
    control character, U+FFFE...): any reference outside the plainly valid ranges, one with no digits
    or very many, counts."""
    for m in _NUMERIC_REFERENCE.finditer(text):
        hex_digits, digits = m.group(1), m.group(2)
        number = hex_digits if hex_digits is not None else digits
        if not number or len(number) > 7:
            return True
        value = int(number, 16 if hex_digits is not None else 10)
        if not (0x20 <= value < 0xD800 or 0xE000 <= value < 0xFFFE or 0x10000 <= value <= 0x10FFFF):
            return True
    return False


def _make_editable(root: etree._Element, notes: Notes, *, references: bool = True, braces: bool = True) -> None:
    """Fix what libxml2 lets into the tree but lxml refuses to handle, so the reader can edit it.

    * control characters written as references (``&#1;``, or ``&#1`` before a
      ``<``) in text and attribute values: lxml refuses to set text holding one
      (moving text, as :func:`remove` does, would fail); removed through
      :func:`~briefpub.tree.sanitise`, which reports them;
    * attributes whose name starts with ``{`` (``<p {x}=1>``): lxml reads such
      a name as a namespace (``{uri}local``) and can list the attribute but
      neither read nor delete it; the element's other attributes are set again
      without it. No attribute is content; how many were dropped is reported.

    ``references``: whether the page's text holds a refused character or may refer to one
    (:func:`_refers_to_refused`); without either, no text or attribute value in the tree can hold one.
    ``braces``: whether the page's text holds a ``{`` (an attribute's name is written as it is, never
    with a reference); without one and without ``references``, there is nothing to fix.
    """
    if not references and not braces:
        return
    dropped = 0
    for el in root.iter():
        if references:
            if el.text and _XML_REFUSED.search(el.text):
                el.text = sanitise(el.text, keep_newlines=True)
            if el.tail and _XML_REFUSED.search(el.tail):
                el.tail = sanitise(el.tail, keep_newlines=True)
        keys = el.keys()
        if not keys:
            continue
        braced = "{" in "".join(map(str, keys)) and any(str(name).startswith("{") for name in keys)
        if not braced and not (
            references and any(_XML_REFUSED.search(str(value)) for value in el.values())
        ):
            continue
        items = [(str(name), str(value)) for name, value in el.items()]
        keep = [(name, value) for name, value in items if not name.startswith("{")]
        dropped += len(items) - len(keep)
        el.attrib.clear()
        for name, value in keep:
            el.set(name, sanitise(value, keep_newlines=True) if _XML_REFUSED.search(value) else value)
    if dropped:
        notes.add("reader.unsupported", f"{dropped} attribute(s) with a name starting with '{{' ignored",
                  severity="info")


def _close_void_elements(root: etree._Element) -> None:
    """Move what the parser nested inside a void element (:data:`VOID_TAGS`) to just after it.

    An ``<image>`` is an ``<img>``, as in browsers.
    """
    for el in list(root.iter(*VOID_TAGS)):  # the HTML parser lower-cases tag names
        if el.tag.lower() == "image":
            el.tag = "img"
        children = list(el)
        if not el.text and not children:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        index = parent.index(el)
        for offset, child in enumerate(children, start=1):
            parent.insert(index + offset, child)
        inner, el.text = el.text or "", None
        if children:
            last = children[-1]
            last.tail = (last.tail or "") + (el.tail or "")
            el.tail = inner or None
        else:
            el.tail = inner + (el.tail or "") or None


def parse_fragment(markup: str, source: str, notes: Notes) -> etree._Element:
    """Parse an HTML fragment (e.g. a raw block in Markdown); returns a ``<body>`` holding it."""
    # lxml refuses XML-invalid characters (in an attribute name, say): removed first, reported by read_bytes
    root = parse_document(f"<html><body>{sanitise(markup, keep_newlines=True)}</body></html>", source, notes)
    body = root.find("body")
    return body if body is not None else root


def line_of(el: etree._Element) -> int | None:
    """The input line where ``el`` starts (None when lxml does not know)."""
    line: object = getattr(el, "sourceline", None)  # lxml-stubs type it as "..."
    return line if isinstance(line, int) else None


def _texts(el: etree._Element) -> Iterator[str]:
    """The pieces of text inside ``el`` (an HTML tree's are ``str``; lxml-stubs also allow bytes)."""
    return cast("Iterator[str]", el.itertext())


def raw_text(el: etree._Element) -> str:
    """All text inside ``el``, as written."""
    return "".join(_texts(el))


def words_of(el: etree._Element) -> list[str]:
    """The words of :func:`text_of` (``" ".join(words_of(el)) == text_of(el)``), without joining them."""
    return " ".join(_texts(el)).split()


def text_of(el: etree._Element) -> str:
    """All text inside ``el``, whitespace collapsed (element boundaries count as spaces)."""
    return " ".join(" ".join(_texts(el)).split())


def short_text_of(el: etree._Element, limit: int) -> str | None:
    """:func:`text_of` when it is at most ``limit`` characters long, else None, without reading a long
    element's text to its end (its characters other than whitespace already number more than ``limit``)."""
    pieces: list[str] = []
    visible = 0
    for piece in _texts(el):
        pieces.append(piece)
        visible += len("".join(piece.split()))
        if visible > limit:
            return None
    text = " ".join(" ".join(pieces).split())
    return text if len(text) <= limit else None


def _put_before(el: etree._Element, text: str) -> None:
    """Add ``text`` where it shows just before ``el``: the previous sibling's tail, or the parent's text."""
    if not text:
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent = el.getparent()
        if parent is not None:
            parent.text = (parent.text or "") + text


def remove(el: etree._Element) -> None:
    """Remove ``el`` and its content, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    _put_before(el, el.tail or "")
    parent.remove(el)


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    tail = el.tail or ""
    children = list(el)
    _put_before(el, el.text or "")
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    else:
        _put_before(el, tail)
    parent.remove(el)


def _placement(el: etree._Element, root: etree._Element) -> tuple[bool, bool]:
    """(whether ``el`` is still under ``root``, not inside an element already removed; whether it is
    inside a ``<head>``), in one walk up the tree."""
    attached = in_head = False
    for a in el.iterancestors():
        if a is root:
            attached = True
        if a.tag == "head":
            in_head = True
    return attached, in_head


def neutralise(root: etree._Element, notes: Notes) -> None:
    """Remove active content, media players, forms and event handlers from ``root``, reporting each."""
    head_counts: Counter[str] = Counter()
    reported: Counter[str] = Counter()
    handlers: Counter[str] = Counter()
    unsafe_attrs = 0
    body_text_total = -1  # measured at the first form (a whole-page text join costs a millisecond)
    body = root.find("body")
    script_url = _SCRIPT_URL.match
    for el in list(root.iter()):
        raw_tag: object = el.tag
        if not isinstance(raw_tag, str):  # comments/PIs when the parser kept any
            remove(el)
            continue
        tag = raw_tag.lower()
        for name, value in el.items():
            lowered = str(name).lower()
            if lowered.startswith("on"):
                handlers[lowered] += 1
                del el.attrib[name]
            elif lowered in ("srcdoc", "formaction") or (
                ":" in value and lowered not in ("href", "src") and script_url(str(value))  # no ":", no match
            ):
                unsafe_attrs += 1
                del el.attrib[name]
        if tag not in _NEUTRALISED_TAGS:
            continue
        if tag in UNWRAP_TAGS:
            unwrap(el)
            continue
        if el.getparent() is None:
            continue  # the root
        attached, in_head = _placement(el, root)
        if not attached:
            continue  # inside something already removed
        if in_head or tag in ("meta", "link", "base"):
            if tag in ("script", "style", "iframe", "object", "embed", "noscript", "base"):
                head_counts[tag] += 1
            remove(el)
            continue
        if tag == "form":
            form_text = len(text_of(el))
            if body_text_total < 0:  # measured now, and only if a form may need it (removals only shrink a form)
                large = any(len(text_of(form)) >= 200 for form in root.iter("form"))
                body_text_total = len(text_of(body)) if body is not None and large else 0
            if form_text >= 200 and form_text >= 0.5 * body_text_total:
                for control in [c for c in el.iter() if isinstance(c.tag, str) and c.tag in FORM_CONTROLS]:
                    remove(control)
                unwrap(el)
                notes.add(
                    "reader.active-content",
                    "form around the page unwrapped; its controls removed",
                    line=line_of(el),
                    severity="warning",
                )
                continue
            _report(notes, reported, "form", el, "reader.active-content", "form removed")
            remove(el)
            continue
        if tag in FORM_CONTROLS:
            _report(notes, reported, "control", el, "reader.active-content", "form control removed")
            remove(el)
            continue
        if tag in MEDIA_TAGS:
            _report(notes, reported, tag, el, "reader.unsupported", f"<{tag}> removed (the tree cannot hold it)")
            remove(el)
            continue
        _report(notes, reported, tag, el, "reader.active-content", f"<{tag}> removed")
        remove(el)
    for kind, count in reported.items():
        if count > _PER_KIND_LIMIT:
            notes.add(
                "reader.active-content",
                f"{count - _PER_KIND_LIMIT} more <{kind}> element(s) removed",
                severity="warning",
            )
    if head_counts:
        summary = ", ".join(f"{n} <{tag}>" for tag, n in sorted(head_counts.items()))
        notes.add("reader.active-content", f"removed from the page head: {summary}", severity="info")
    if handlers:
        summary = ", ".join(f"{name} \u00d7{n}" for name, n in sorted(handlers.items()))
        notes.add("reader.active-content", f"event-handler attributes removed: {summary}", severity="warning")
    if unsafe_attrs:
        notes.add("reader.active-content", f"{unsafe_attrs} attribute(s) with script URLs removed", severity="warning")


def _report(notes: Notes, reported: Counter[str], kind: str, el: etree._Element, code: str, message: str) -> None:
    reported[kind] += 1
    if reported[kind] <= _PER_KIND_LIMIT:
        notes.add(code, message, _excerpt_of(raw_text(el)), line=line_of(el), severity="warning")


def _excerpt_of(text: str) -> str:
    """``excerpt(text)``, collapsing the white space of only as much of a long text (a page's inline script
    or data, hundreds of kilobytes) as the excerpt needs: a prefix whose collapsed form is longer than
    the excerpt is collapsed like the whole text's start."""
    head = text[: 4 * EXCERPT]
    flat = " ".join(head.split())
    if len(head) < len(text) and len(flat) <= EXCERPT:
        return excerpt(text)
    return excerpt(flat)
