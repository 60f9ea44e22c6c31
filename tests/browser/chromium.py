"""Headless Chromium for the browser tests: where it is, and a page's DOM and screenshot."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


INSTALL = "sudo apt-get install chromium"


def find_chromium() -> str | None:
    """The Chromium (or Chrome) program on this machine, or None."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium() -> str:
    """The Chromium program; skips the test, saying how to install it, where it is missing."""
    found = find_chromium()
    if found is None:
        pytest.skip(f"needs Chromium for the browser tests: `{INSTALL}`")
    return found


def run_page(url: str, screenshot: Path, *, size: str = "1000,900", wait_ms: int = 20000) -> str:
    """Open `url` in headless Chromium, save a screenshot, and return the DOM it ended with.

    Chromium runs with virtual time (`wait_ms` of it), so timers and the WebAssembly
    compilation finish before the DOM is printed, without waiting that long for real.
    """
    browser = chromium()
    with tempfile.TemporaryDirectory() as profile:
        common = [browser, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}"]
        common.append(f"--virtual-time-budget={wait_ms}")
        dom = subprocess.run(
            [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        ).stdout
        subprocess.run(
            [*common, f"--screenshot={screenshot}", url],
            capture_output=True,
            timeout=120,
            check=True,
        )
    return dom
