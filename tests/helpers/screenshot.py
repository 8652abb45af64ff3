"""Take docs/report.png: the bundled plan's report.html in headless Chromium.

python -m tests.helpers.screenshot PLAN_DIR docs/report.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main(plan: Path, out: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1100}, offline=True)
        page.goto((plan / "report.html").as_uri())
        page.wait_for_selector("#map .main-svg")
        page.screenshot(path=str(out), full_page=False)
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
