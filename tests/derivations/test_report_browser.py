"""The report page in a real browser: MathML rendered with size, every image loaded, no network request.

Headless Chromium from Debian's ``chromium`` package, driven by Playwright through its executable
path (``.ci/run`` installs both; browser downloads are not used). Outside CI the test is skipped
when either is missing; in CI (``CI`` set) a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

from qderive.derivations.contract import QUICK
from qderive.derivations.registry import Registry
from qderive.derivations.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Debian's chromium and the playwright package (see .ci/run)")
        pytest.skip("headless Chromium or playwright not installed")
    return sync_playwright


def test_report_page_renders_mathml_and_images_without_network(tmp_path):
    sync_playwright = _playwright()
    system = Registry.discover().get("engine004")
    folder = tmp_path / "engine004"
    report = system.report(system.parameter_set(), QUICK)
    write_report(report, folder)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((folder / "report.html").as_uri())
        page.wait_for_load_state("load")
        sizes = page.evaluate("Array.from(document.querySelectorAll('math'))"
                              ".map(m => {const r = m.getBoundingClientRect(); return [r.width, r.height];})")
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        page.screenshot(path=str(folder / "screenshot.png"))
        browser.close()
    assert len(sizes) > 20 and all(w > 0 and h > 0 for w, h in sizes)
    assert len(images) == len(report.figures) == 5
    assert all(complete and width > 100 for complete, width in images)
    assert [r for r in requests if not r.startswith("file://") and not r.startswith("data:")] == []
    assert Path(folder / "screenshot.png").stat().st_size > 10_000
