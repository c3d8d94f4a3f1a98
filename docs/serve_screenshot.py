"""Draw docs/serve-page.png, the README's picture of ``briefpub serve`` (run by hand; needs chromium,
chromium-driver and selenium, as the browser tests do).

Only the repository's own fixtures go into the pack (never the reference article): a plain-text
article, a saved web page and a Markdown note. The draft is made through the HTTP API, built,
then the page is opened in headless chromium and drawn whole.

    python docs/serve_screenshot.py [OUTPUT.png]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serving import ServerProcess  # noqa: E402

ARTICLES = [ROOT / "fixtures" / "txt" / "geneva-round.txt", ROOT / "fixtures" / "html" / "pages" / "blog-wildfire.html",
            ROOT / "fixtures" / "md" / "analyst-note.md"]
SETTINGS = {"title": "Morning Briefing", "reference": "MB-2026-341", "marking": "OFFICIAL"}
WIDTH = 1100  # CSS pixels: the two page previews side by side
SCALE = 1.5  # device pixels per CSS pixel: crisp when the README shows it smaller


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One JSON request to the server (a loopback http URL)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data, {"Content-Type": "application/json"},  # noqa: S310
                                     method=method)
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def make_draft(base: str) -> None:
    """A draft of the fixtures with the pack's settings, built (the page then shows its downloads and preview)."""
    draft = call(base, "POST", "/api/drafts", {"settings": SETTINGS})
    for path in ARTICLES:
        call(base, "POST", f"/api/drafts/{draft['id']}/articles",
             {"text": path.read_text(encoding="utf-8"), "filename": path.name})
    build = call(base, "POST", f"/api/drafts/{draft['id']}/builds")
    while call(base, "GET", f"/api/builds/{build['id']}")["status"] not in ("done", "failed"):
        time.sleep(0.3)


def draw(base: str, output: Path) -> None:
    """Open the page, wait for the previews, open the first article's list of removals, draw the whole page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WIDTH},900",
                f"--force-device-scale-factor={SCALE}", "--hide-scrollbars", "--disable-gpu", "--no-first-run"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(base + "/")
        wait = WebDriverWait(driver, 120, poll_frequency=0.1)
        wait.until(lambda d: d.find_element(By.ID, "downloads").is_displayed())
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview img")) >= 2 and all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
            for img in d.find_elements(By.CSS_SELECTOR, "#preview img")))
        driver.find_elements(By.CSS_SELECTOR, "#articles li .a-removed summary")[0].click()
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(WIDTH, height + 140)  # the window's frame (headless: its toolbar area)
        time.sleep(0.5)
        driver.save_screenshot(str(output))
    finally:
        driver.quit()


def main() -> None:
    """Start a server on a private data folder, make the draft, draw the page."""
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "serve-page.png"
    with tempfile.TemporaryDirectory(prefix="bp-shot-") as tmp:
        server = ServerProcess(Path(tmp) / "data")
        server.start()
        try:
            make_draft(server.url)
            draw(server.url, output)
        finally:
            server.stop()
    print(output)


if __name__ == "__main__":
    main()
