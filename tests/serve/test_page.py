"""The page in a real browser (Debian's chromium + chromium-driver, through Selenium).

Paste the reference article, add two fixtures, reorder by keyboard and by button, set a marking,
build, download the zip and check the files (qpdf, EPUBCheck, the marking on every PDF page);
then reload the page and restart the server: the draft is intact. Also: labels, keyboard-only
use, phone width.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT  # type: ignore[attr-defined]
from serving import ServerProcess
from shared_data import require_shared
from tools import require_tool

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # the fixture skips (or fails in CI) with the reason
    webdriver = None

pytestmark = pytest.mark.slow

GENEVA = ROOT / "fixtures" / "txt" / "geneva-round.txt"
NOTE = ROOT / "fixtures" / "md" / "analyst-note.md"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(tmp_path / "data")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if webdriver is None:
        message = "needs selenium (pip install -e '.[test]')"
        if os.environ.get("BRIEFPUB_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    require_tool("chromium", "chromedriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--disable-gpu", "--no-first-run"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, condition: Any, timeout: float = 60) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def _titles(driver: Any) -> list[str]:
    return list(driver.execute_script(  # one read: the list is re-drawn after each change
        "return Array.from(document.querySelectorAll('#articles .a-title')).map(e => e.textContent)"))


def _status(driver: Any, text: str) -> None:
    _wait(driver, lambda d: text in d.find_element(By.ID, "status").text)


def test_assemble_build_download_reload_restart(server: ServerProcess, browser: Any, tmp_path: Path) -> None:
    require_tool("qpdf", "pdftotext")
    reference = require_shared()
    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: d.find_element(By.ID, "no-articles").is_displayed())

    # paste the reference article (set as a paste would, then the button)
    d.execute_script("document.getElementById('paste').value = arguments[0];",
                     reference.read_text(encoding="utf-8"))
    d.find_element(By.ID, "paste-add").click()
    _wait(d, lambda d: len(_titles(d)) == 1)
    # two fixtures through the file input
    d.find_element(By.ID, "files").send_keys(f"{GENEVA}\n{NOTE}")
    _wait(d, lambda d: len(_titles(d)) == 3)
    ref_title, geneva_title, note_title = _titles(d)
    summary = d.find_element(By.CSS_SELECTOR, "#articles li .a-summary").text
    assert "paragraphs" in summary and "words" in summary

    # reorder: Alt+Down on the first article, then the "Up" button of the last one
    first = d.find_elements(By.CSS_SELECTOR, "#articles li")[0]
    first.send_keys(Keys.ALT, Keys.ARROW_DOWN)
    _wait(d, lambda d: _titles(d) == [geneva_title, ref_title, note_title])
    _status(d, "position 2 of 3")
    d.find_elements(By.CSS_SELECTOR, "#articles li .up")[2].click()
    _wait(d, lambda d: _titles(d) == [geneva_title, note_title, ref_title])

    # pack settings: title and a marking
    title = d.find_element(By.ID, "s-title")
    title.clear()
    title.send_keys("Morning Briefing")
    marking = d.find_element(By.ID, "s-marking")
    marking.send_keys("OFFICIAL-SENSITIVE")
    _status(d, "Pack settings saved")
    _wait(d, lambda d: d.execute_script("return draft.settings.marking") == "OFFICIAL-SENSITIVE")

    # build, with progress, then download the zip
    d.find_element(By.ID, "build").click()
    _wait(d, lambda d: d.find_element(By.ID, "downloads").is_displayed(), 240)
    assert d.find_elements(By.CSS_SELECTOR, "#preview img")
    d.find_element(By.ID, "dl-zip").click()
    zipped = d.downloads / "morning-briefing.zip"
    _wait(d, lambda d: zipped.exists() and zipped.stat().st_size > 0, 60)
    time.sleep(0.5)
    names = zipfile.ZipFile(io.BytesIO(zipped.read_bytes())).namelist()
    assert sorted(names) == ["morning-briefing.docx", "morning-briefing.epub", "morning-briefing.pdf"]
    out = tmp_path / "unzipped"
    zipfile.ZipFile(zipped).extractall(out)
    pdf = out / "morning-briefing.pdf"
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 4
    assert all("OFFICIAL" in page for page in pages), "a page without a marking"
    # the pack's marking on every page, except those of the analyst note, whose front matter marks it
    # OFFICIAL itself (an article's own marking is kept on its pages: the pipeline's rule)
    own = [i for i, page in enumerate(pages) if "OFFICIAL-SENSITIVE" not in page]
    assert all("Geneva Round" in pages[i] or "Analyst" in pages[i] for i in own), [pages[i][:200] for i in own]
    assert text.index("Geneva") < text.rindex(ref_title.split()[0])  # the order chosen on the page
    from epubcheck_runner import run_epubcheck

    result = run_epubcheck([out / "morning-briefing.epub"], tmp_path)
    assert result[str(out / "morning-briefing.epub")].counts[:2] == (0, 0)

    # a reload keeps the draft
    d.refresh()
    _wait(d, lambda d: len(_titles(d)) == 3)
    assert _titles(d) == [geneva_title, note_title, ref_title]
    assert d.find_element(By.ID, "s-marking").get_attribute("value") == "OFFICIAL-SENSITIVE"
    # a restart keeps it too
    server.stop()
    server.start()
    d.refresh()
    _wait(d, lambda d: len(_titles(d)) == 3)
    assert _titles(d) == [geneva_title, note_title, ref_title]
    assert d.find_element(By.ID, "s-title").get_attribute("value") == "Morning Briefing"


CONTRAST_JS = """
function rgb(c) { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
function lum([r, g, b]) {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function background(el) {
  for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c[3] > 0.5) return c;
  }
  return [255, 255, 255, 1];
}
const low = [];
for (const el of document.querySelectorAll('body *')) {
  const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length || el.closest('[hidden]') || el.closest('option')) continue;
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) low.push(el.tagName + ' ' + el.textContent.trim().slice(0, 30) + ' ' + ratio.toFixed(2));
}
return low;
"""


def test_accessible_and_phone_width(server: ServerProcess, browser: Any) -> None:
    d = browser
    d.get(server.url + "/")
    _wait(d, lambda d: d.find_element(By.ID, "no-articles").is_displayed())
    unlabelled = d.execute_script("""
        return Array.from(document.querySelectorAll('input, select, textarea'))
          .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
          .map(e => e.id || e.name);""")
    assert unlabelled == []
    # keyboard only: Tab reaches the paste box, typing and Enter on the button adds the article
    body = d.find_element(By.TAG_NAME, "body")
    for _ in range(12):
        body = d.switch_to.active_element
        if body.get_attribute("id") == "paste":
            break
        body.send_keys(Keys.TAB)
    assert d.switch_to.active_element.get_attribute("id") == "paste"
    d.switch_to.active_element.send_keys("Keyboard Title\n\nA paragraph typed with the keyboard only.")
    d.switch_to.active_element.send_keys(Keys.TAB, Keys.TAB, Keys.ENTER)
    _wait(d, lambda d: _titles(d) == ["Keyboard Title"])
    # text contrast at least 4.5:1 (WCAG AA) for every element with text of its own
    low = d.execute_script(CONTRAST_JS)
    assert low == [], low
    # a visible focus ring
    outline = d.execute_script("""
        const b = document.getElementById('build'); b.focus();
        return getComputedStyle(b).outlineStyle;""")
    assert outline != "none"
    # phone width: nothing wider than the screen
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": True})
    time.sleep(0.3)
    assert d.execute_script("return window.innerWidth") == 375
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    # no article content as markup: a hostile title stays text
    d.execute_script("document.getElementById('paste').value = arguments[0];",
                     "<img src=x onerror=window.pwned=1>\n\nBody.")
    d.find_element(By.ID, "paste-add").click()
    _wait(d, lambda d: len(_titles(d)) == 2)
    assert d.execute_script("return window.pwned === undefined")
