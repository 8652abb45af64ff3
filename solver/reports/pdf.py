"""HTML pages to PDF with Chromium's print-to-PDF (headless, no network, a fresh profile).

Chromium is found as STAFFING_CHROMIUM, else chromium, chromium-browser, google-chrome or
google-chrome-stable on PATH; without it the command says so (ChromiumMissing). The PDF's
dates are fixed so that the same page gives the same bytes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from solver.i18n import _

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
)
FIXED_DATE = b"D:20250701000000+00'00'"


class ChromiumMissing(RuntimeError):
    """No Chromium to print with."""


def chromium() -> str:
    env = os.environ.get("STAFFING_CHROMIUM")
    if env:
        return env
    for n in NAMES:
        p = shutil.which(n)
        if p:
            return p
    raise ChromiumMissing(
        _(
            "printing to PDF needs Chromium: install it (Debian: apt-get install chromium) or "
            "set STAFFING_CHROMIUM to its path; the HTML pages are written without it"
        )
    )


def stable_pdf(data: bytes) -> bytes:
    """The PDF with its creation and modification dates fixed (same page, same bytes)."""
    data = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", rb"/\1 (" + FIXED_DATE + rb")", data)
    return data


def to_pdf(pages: dict[str, str], timeout: float = 120.0) -> dict[str, bytes]:
    """{name.pdf: bytes} for {name.html: html} (every page printed by its own Chromium run,
    from a private temporary folder: nothing reaches the network)."""
    exe = chromium()
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="staffing-pdf-") as tmp:
        root = Path(tmp)
        for name, text in pages.items():
            src = root / "in" / name
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_text(text, "utf-8")
            dst = root / "out.pdf"
            profile = root / "profile"
            cmd = [
                exe,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={dst}",
                src.as_uri(),
            ]
            subprocess.run(
                cmd,
                check=True,
                timeout=timeout,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "HOME": str(root)},
            )
            out[str(Path(name).with_suffix(".pdf"))] = stable_pdf(dst.read_bytes())
            dst.unlink()
            shutil.rmtree(profile, ignore_errors=True)
    return out
