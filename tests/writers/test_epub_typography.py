"""EPUB typography, measured from the output: themes, alignment, hyphenation, punctuation, labels.

* The CSS file of the EPUB is read back and checked rule by rule: no text
  colour anywhere (the reading system's day, sepia or night theme colours
  text), only translucent backgrounds, rules and borders with 3:1 contrast on
  white and on black, no justification of headings, standfirsts, bylines or
  contents entries, hyphenation and widows/orphans on running text, headings
  kept with what follows.
* The content documents are rendered in headless Chromium in a narrow window
  (Chromium's headless minimum is 500 CSS pixels; nothing measured depends on
  the width) under a day, a sepia and a night theme (a reading-system-like style sheet that sets
  only ``html`` background and colour, the weakest kind of theme, so any colour
  the book fixes would win) and every element holding text is measured: its
  contrast against what is really behind it, its alignment, its hyphenation
  and language. Skipped when Chromium is absent; fails under
  ``BRIEFPUB_REQUIRE_TOOLS=1``.
* Typographic punctuation, the labelled photo caption, a German article's
  labels and dates, and a pack's article numbers and end mark.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from briefpub.pipeline import style_fonts
from briefpub.styling import load_style
from briefpub.styling.model import StyleSheet
from briefpub.tree import Code, Document, Emphasis, Figure, Meta, Paragraph, Publication
from briefpub.writers import WriteOptions
from briefpub.writers.epub import WRITER
from briefpub.writers.epub.css import contrast
from samples import briefing_pack, figure_resources, pack, para, rich_document, rtl_pack, single, t
from shared_data import REFERENCE, require_shared
from tools import require_tool

NS = {"x": "http://www.w3.org/1999/xhtml"}
X = "{http://www.w3.org/1999/xhtml}"
BUILD = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def write(pub: Publication, style: StyleSheet | str = "briefing", resources: dict[str, bytes] | None = None) -> bytes:
    sheet = load_style(style) if isinstance(style, str) else style
    return WRITER.write(pub, sheet, WriteOptions(build_time=BUILD, resources=resources or {},
                                                 fonts=style_fonts(sheet))).data


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"EPUB/{name}")


def body(data: bytes, name: str = "article-001.xhtml") -> etree._Element:
    return etree.fromstring(part(data, name)).find("x:body", NS)


def words(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def dark_style() -> StyleSheet:
    """Every colour of the style sheet set to near-black: the worst case for a night theme."""
    sheet = load_style("briefing")
    dark = "#111111"
    texts = {name: replace(getattr(sheet, name), colour=dark) for name in (
        "body", "title", "subtitle", "byline", "heading1", "heading2", "heading3", "caption", "quote", "code", "table")}
    return replace(sheet, **texts, links=replace(sheet.links, colour=dark), marking=replace(
        sheet.marking, colour=dark, background="#000000"), furniture=replace(sheet.furniture, colour=dark),
        boxes=replace(sheet.boxes, background="#000000", border=dark, table_header_background=dark))


STYLES = {"briefing": lambda: load_style("briefing"), "plain": lambda: load_style("plain"), "dark": dark_style}


# --------------------------------------------------------------------------
# The CSS file, rule by rule
# --------------------------------------------------------------------------


_MEDIA = re.compile(r"@media\s*([^{]+)\{((?:[^{}]*\{[^{}]*\})*)\s*\}")


def media_rules(css: str) -> list[tuple[str, list[tuple[list[str], dict[str, str]]]]]:
    """``(condition, rules)`` of every ``@media`` block."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [(condition.strip(), css_rules(block)) for condition, block in _MEDIA.findall(css)]


def css_rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """``(selectors, declarations)`` of every top-level rule (comments and ``@media`` blocks dropped:
    :func:`media_rules` reads those)."""
    css = _MEDIA.sub("", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    assert "@" not in css, "an at-rule this parser does not read"
    rules = []
    for selectors, block in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {}
        for decl in block.split(";"):
            if decl.strip():
                prop, _, value = decl.partition(":")
                decls[prop.strip()] = value.strip()
        rules.append(([s.strip() for s in selectors.split(",")], decls))
    return rules


def _hex(value: str) -> tuple[int, int, int] | None:
    m = re.search(r"#([0-9a-f]{6})\b", value)
    return (int(m.group(1)[0:2], 16), int(m.group(1)[2:4], 16), int(m.group(1)[4:6], 16)) if m else None


@pytest.mark.parametrize("name", list(STYLES))
def test_no_text_colour_is_fixed_and_rules_show_on_white_and_black(name: str) -> None:
    css = part(write(single(rich_document()), STYLES[name]()), "style/briefpub.css").decode()
    for selectors, decls in css_rules(css):
        assert decls.get("color", "inherit") in ("inherit", "currentColor"), (selectors, decls)
        background = decls.get("background-color", decls.get("background"))
        if background is not None:
            alpha = re.fullmatch(r"rgba\(\d+, \d+, \d+, ([0-9.]+)\)", background)
            assert alpha and float(alpha.group(1)) <= 0.2, (selectors, background)  # a tint, never opaque
        for prop, value in decls.items():
            if prop.startswith("border") and (rgb := _hex(value)):
                assert contrast(rgb, (255, 255, 255)) >= 3 and contrast(rgb, (0, 0, 0)) >= 3, (selectors, prop, value)


NEVER_JUSTIFIED = re.compile(r"(^|[ .])(h[1-6]|\.title|\.subtitle|\.byline|\.article-label|\.contents-[a-z]+|"
                             r"\.summary-[a-z]+|\.heading[1-3]|\.box-title|caption|figcaption|\.photo-caption)\b")


@pytest.mark.parametrize("name", list(STYLES))
def test_headings_standfirsts_and_contents_are_never_justified_and_running_text_is_typeset(name: str) -> None:
    sheet = STYLES[name]()
    css = part(write(single(rich_document()), sheet), "style/briefpub.css").decode()
    rules = css_rules(css)
    for selectors, decls in rules:
        if decls.get("text-align") == "justify":
            assert not any(NEVER_JUSTIFIED.search(s) for s in selectors), selectors
    merged: dict[str, dict[str, str]] = {}
    for selectors, decls in rules:
        for s in selectors:
            merged.setdefault(s, {}).update(decls)
    p = merged["p"]
    assert (p["widows"], p["orphans"]) == ("2", "2")
    assert p["hyphens"] == p["-webkit-hyphens"] == p["-epub-hyphens"] == ("auto" if sheet.paragraphs.hyphenate
                                                                          else "none")
    headings = merged["h1"]
    assert headings["page-break-after"] == headings["break-after"] == "avoid"
    assert headings["hyphens"] == "none" and headings["text-align"] == "left"
    for selector in (".title", ".subtitle", ".byline", ".contents-title", ".summary-title", ".contents-byline",
                     ".summary-lede", ".photo-caption"):
        assert merged[selector].get("text-align") in ("left", None), selector
        assert merged[f".rtl {selector}"]["text-align"] == "right", selector
    assert merged["a"]["text-decoration"] == "underline"  # links without relying on colour, in every style
    narrow = [(condition, rules) for condition, rules in media_rules(css) if "max-width" in condition]
    if sheet.body.align == "justify":
        [(_condition, [(selectors, decls)])] = narrow
        assert set(selectors) == {"p", "blockquote"} and decls == {"text-align": "start"}
    else:
        assert not narrow
    assert merged["em em"]["font-style"] == "normal"


def test_no_rule_meant_for_an_element_styles_a_whole_document() -> None:
    # Body classes name the kind of document ("contents-page"); a rule written for an element with the
    # same class would restyle the whole page (it happened once: the contents page lost its margins).
    data = write(briefing_pack(4), resources=figure_resources())
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    body_classes = {c for name in names if name.endswith(".xhtml")
                    for c in (body(data, name.removeprefix("EPUB/")).get("class") or "").split()} - {"rtl"}
    assert {"article", "contents-page", "summary-page", "cover-page", "nav-page"} <= body_classes
    for selectors, _decls in css_rules(part(data, "style/briefpub.css").decode()):
        for selector in selectors:
            for cls in body_classes:
                assert not re.search(rf"(^|[\s>+~])\.{re.escape(cls)}(?![\w-])", selector), (selector, cls)


def test_each_document_and_span_names_its_language_for_hyphenation() -> None:
    data = write(pack([rich_document(), rich_document(language="de")], language="en"))
    for name in ("article-001.xhtml", "article-002.xhtml", "contents.xhtml", "cover.xhtml", "nav.xhtml"):
        html = etree.fromstring(part(data, name))
        assert html.get("lang") and html.get("lang") == html.get("{http://www.w3.org/XML/1998/namespace}lang"), name
    assert etree.fromstring(part(data, "article-002.xhtml")).get("lang") == "de"
    contents = body(data, "contents.xhtml")
    assert contents.xpath(".//x:p[@class='contents-title']/x:a/@lang", namespaces=NS) == ["de"]


# --------------------------------------------------------------------------
# Rendered in Chromium: day, sepia and night themes at phone width
# --------------------------------------------------------------------------

THEMES = {"day": "", "sepia": "html{background:#f4ecd8;color:#5b4636}", "night": "html{background:#000;color:#ddd}"}

MEASURE_JS = r"""
(function () {
  function parse(c) {
    var m = c.match(/rgba?\(([^)]+)\)/); if (!m) return [0, 0, 0, 0];
    var p = m[1].split(',').map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, bottom) {
    var a = top[3];
    return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
  }
  function lum(c) {
    var s = c.slice(0, 3).map(function (v) {
      v = v / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
  }
  function ratio(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  function behind(el) {
    var layers = [];
    for (var e = el; e; e = e.parentElement) {
      var c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    var bg = [255, 255, 255, 1];
    for (var i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  }
  function measure() {
    var out = [], all = document.body.getElementsByTagName('*');
    for (var i = 0; i < all.length; i++) {
      var el = all[i], direct = false;
      for (var j = 0; j < el.childNodes.length; j++) {
        var n = el.childNodes[j];
        if (n.nodeType === 3 && n.textContent.trim()) direct = true;
      }
      if (!direct) continue;
      var cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden') continue;
      var bg = behind(el), fg = over(parse(cs.color), bg), langEl = el.closest('[lang]');
      out.push({tag: el.localName, cls: el.getAttribute('class') || '', text: el.textContent.trim().slice(0, 50),
                contrast: ratio(fg, bg), align: cs.textAlign, hyphens: cs.hyphens || cs.webkitHyphens,
                lang: langEl ? langEl.getAttribute('lang') : '',
                within: el.parentElement.closest('footer, header, li, blockquote, td, th, figure') ?
                        el.parentElement.closest('footer, header, li, blockquote, td, th, figure').localName : ''});
    }
    return out;
  }
  var report = {};
  var themes = __THEMES__;
  var style = document.createElementNS('http://www.w3.org/1999/xhtml', 'style');
  document.head.insertBefore(style, document.head.firstChild);  // before the book's CSS: the weakest theme
  for (var name in themes) { style.textContent = themes[name]; report[name] = measure(); }
  document.title = 'REPORT:' + btoa(unescape(encodeURIComponent(JSON.stringify(report))));
})();
"""


def render_measure(data: bytes, names: list[str], workdir: Path,
                   width: int = 390) -> dict[str, dict[str, list[dict[str, Any]]]]:  # fmt: skip
    """Every text element of each document, measured in each theme by headless Chromium ``width`` px wide
    (a phone by default; headless Chromium never makes a window narrower than 500 px)."""
    require_tool("chromium")
    chromium = shutil.which("chromium")
    assert chromium is not None
    zipfile.ZipFile(io.BytesIO(data)).extractall(workdir)
    script = MEASURE_JS.replace("__THEMES__", json.dumps(THEMES))
    results = {}
    for name in names:
        html = etree.fromstring((workdir / "EPUB" / name).read_bytes())
        etree.SubElement(html.find("x:body", NS), f"{X}script").text = script
        probe = workdir / "EPUB" / f"probe-{name}"
        probe.write_bytes(etree.tostring(html, xml_declaration=True, encoding="utf-8"))
        proc = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={width},844", "--dump-dom",
             probe.as_uri()], capture_output=True, text=True, timeout=120, check=False)
        found = re.search(r"REPORT:([A-Za-z0-9+/=]+)", proc.stdout)
        assert found, f"{name}: Chromium gave no report: {proc.stderr[-500:]}"
        results[name] = json.loads(base64.b64decode(found.group(1)).decode("utf-8"))
    return results


@pytest.mark.slow
@pytest.mark.parametrize("name", ["briefing", "plain", "dark"])
def test_every_text_is_readable_in_day_sepia_and_night_themes(name: str, tmp_path: Path) -> None:
    data = write(briefing_pack(8), STYLES[name](), figure_resources())
    docs = ["article-001.xhtml", "article-006.xhtml", "contents.xhtml", "summary.xhtml", "nav.xhtml"]
    measured = render_measure(data, docs, tmp_path)
    problems = []
    for doc, themes in measured.items():
        for theme, elements in themes.items():
            assert len(elements) > 3, (doc, theme)
            for el in elements:
                if el["contrast"] < 4.5:
                    problems.append(f"{doc} {theme}: <{el['tag']} class={el['cls']!r}> {el['text']!r} "
                                    f"contrast {el['contrast']:.2f}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_rendered_alignment_and_hyphenation(tmp_path: Path) -> None:
    measured = render_measure(write(rtl_pack()), ["article-004.xhtml", "contents.xhtml", "summary.xhtml",
                                                   "article-002.xhtml"], tmp_path)
    never_justified = {"title", "subtitle", "byline", "article-label", "contents-title", "contents-byline",
                       "summary-byline", "summary-lede", "photo-caption"}
    running = 0
    for doc, themes in measured.items():
        for el in themes["day"]:
            classes = set(el["cls"].split())
            if el["tag"] in ("h1", "h2", "h3", "h4", "h5", "h6") or classes & never_justified:
                assert el["align"] != "justify", (doc, el)
                assert el["hyphens"] in ("none", "manual"), (doc, el)
            if el["tag"] == "p" and not classes and not el["within"]:  # running text of an article
                running += 1
                # a phone's narrow line is set ragged-right (no rivers where hyphenation is missing)
                assert el["align"] == "start" and el["hyphens"] == "auto" and el["lang"], (doc, el)
    assert running >= 5
    wide = render_measure(write(rtl_pack()), ["article-004.xhtml"], tmp_path / "wide", width=800)
    justified = [el["align"] == "justify" for el in wide["article-004.xhtml"]["day"]
                 if el["tag"] == "p" and not el["cls"] and not el["within"]]  # fmt: skip
    assert justified and all(justified)  # a tablet's or a desktop's line is justified
    arabic = [el for el in measured["article-002.xhtml"]["day"] if el["tag"] in ("h1", "p")]
    assert arabic and all(el["lang"] == "ar" for el in arabic)
    assert {el["align"] for el in arabic if el["cls"] == "title"} <= {"right", "start"}


# --------------------------------------------------------------------------
# Punctuation, captions, labels, pack furniture
# --------------------------------------------------------------------------


def test_typographic_punctuation_pairs_quotes_across_runs_and_leaves_code_alone() -> None:
    doc = Document(Meta(title="It's \"on\"", language="en"), (
        Paragraph((t('He said "the '), Emphasis((t("talks"),)), t(' start" -- in 2017-18 ... Astana\'s.'))),
        Paragraph((t("Run "), Code((t('x = "it\'s"'),)), t(" now."))),
    ))
    b = body(write(single(doc)))
    p1, p2 = b.findall(".//x:section/x:p", NS)
    assert words(p1) == "He said \u201cthe talks start\u201d \u2013 in 2017\u201318 \u2026 Astana\u2019s."
    assert p2.find("x:code", NS).text == 'x = "it\'s"'
    assert b.findtext(".//x:h1", namespaces=NS) == "It\u2019s \u201con\u201d"
    german = Document(Meta(title="Zitat", language="de"), (para('Er sagte "ja".'),))
    assert words(body(write(single(german))).find(".//x:section/x:p", NS)) == "Er sagte \u201eja\u201c."
    plain = replace(load_style("briefing"), paragraphs=replace(load_style("briefing").paragraphs,
                                                              smart_punctuation=False))
    assert 'He said "the' in words(body(write(single(doc), plain)))


def test_the_reference_articles_photo_caption_is_labelled_and_apostrophes_are_typographic() -> None:
    require_shared(REFERENCE)
    from briefpub.pipeline import prepare_article

    article = prepare_article(str(REFERENCE))
    b = body(write(single(article.document)))
    assert b.find(".//x:figure", NS) is None  # no image: never an empty <figure>
    (caption,) = b.xpath(".//x:p[@class='photo-caption']", namespaces=NS)
    assert caption.findtext("x:span[@class='label']", namespaces=NS) == "Photo: "
    assert words(caption).startswith("Photo: Astana\u2019s Rixos President Hotel")
    assert caption.getparent().tag == f"{X}section"  # in the body, not in the title block
    assert b.find(".//x:header/x:p[@class='subtitle']", NS) is None  # not mistaken for a standfirst
    text = words(b)
    assert "Army\u2019s" in text and "Astana\u2019s" in text and "Jan. 23\u201324" in text
    assert "'" not in text.replace("'s", "")  # no straight apostrophes left


def test_a_german_article_has_german_labels_and_dates() -> None:
    doc = Document(
        meta=Meta(title="Gespräche beginnen", authors=("Anna Beispiel", "Ralf Muster"), date="23 January 2017",
                  date_iso="2017-01-23", source="Beispiel-Zeitung", url="https://zeitung.example/artikel",
                  retrieved="2017-03-01", language="de", summary=("Die Gespräche beginnen am Montag.",)),
        blocks=(Figure((t("Das Hotel, in dem verhandelt wird"),)), para("Die Delegationen trafen sich.")),
    )
    b = body(write(single(doc)))
    assert b.findtext(".//x:section[@role='doc-abstract']/x:h2", namespaces=NS) == "Kernpunkte"
    assert words(b.find(".//x:p[@class='byline']", NS)) == (
        "Von Anna Beispiel und Ralf Muster \u00b7 23. Januar 2017 \u00b7 Beispiel-Zeitung")
    assert [words(p) for p in b.findall(".//x:footer/x:p", NS)] == [
        "Quelle: Beispiel-Zeitung", "Autor: Anna Beispiel und Ralf Muster", "Veröffentlicht: 23. Januar 2017",
        "Link: https://zeitung.example/artikel", "Abgerufen: 1. März 2017"]
    assert words(b.find(".//x:p[@class='photo-caption']", NS)) == "Foto: Das Hotel, in dem verhandelt wird"
    cover = etree.fromstring(part(write(single(doc)), "cover.xhtml"))
    assert cover.findtext("x:head/x:title", namespaces=NS) == "Gespräche beginnen"
    assert "23. Januar 2017" in cover.find(".//x:img", NS).get("alt")


def test_a_pack_numbers_its_articles_dates_them_one_way_and_ends_with_a_mark() -> None:
    pub = pack([rich_document(), rich_document(language="fr"), rich_document(language="de")], language="en",
               date="2017-01-24", summary_page=True)
    data = write(pub)
    labels = [body(data, f"article-00{n}.xhtml").find(".//x:p[@class='article-label']", NS) for n in (1, 2, 3)]
    # The pack's furniture, in the pack's language, marked as such inside a French or German article.
    assert [(words(p), p.get("lang")) for p in labels] == [("Article 1 of 3", None), ("Article 2 of 3", "en"),
                                                            ("Article 3 of 3", "en")]
    # One date format in the whole pack: the pack's language, whatever the article's.
    dates = [body(data, f"article-00{n}.xhtml").xpath(".//x:p[@class='byline']/text() | "
                                                        ".//x:p[@class='byline']/x:span/text()", namespaces=NS)
             for n in (1, 2, 3)]
    assert all(any("23 January 2017" in d for d in found) for found in dates), dates
    ends = [body(data, f"article-00{n}.xhtml").findall(".//x:p[@class='end-mark']", NS) for n in (1, 2, 3)]
    assert [len(e) for e in ends] == [0, 0, 1] and words(ends[2][0]) == "End of briefing pack"
    last = [c for c in body(data, "article-003.xhtml") if isinstance(c.tag, str)]
    assert [c.get("class") for c in last[-2:]] == ["end-mark", "marking marking-bottom"]
    assert body(write(single(rich_document()))).find(".//x:p[@class='end-mark']", NS) is None
    assert body(write(single(rich_document()))).find(".//x:p[@class='article-label']", NS) is None
