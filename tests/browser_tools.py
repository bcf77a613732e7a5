"""Where the browser and HTML-checking tools live, and how a test says they are missing.

scripts/ensure-browser-tools (run by `make test`) installs them. A test skips when a tool is missing
and the script recorded why it could not be installed; on CI a tool missing for no recorded reason
fails the test instead, so a broken install step can never turn the checks off silently.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MISSING = ROOT / "node_modules" / ".arrow-browser-tools-missing"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if MISSING.exists():
        pytest.skip(f"{reason}: {MISSING.read_text().strip()}")
    reason = f"{reason} (run scripts/ensure-browser-tools)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def require_java_and_vnu() -> str:
    java = shutil.which("java")
    require(java is not None, "java is not installed")
    require(VNU_JAR.exists(), f"{VNU_JAR.relative_to(ROOT)} is missing")
    return java


def require_chromium() -> None:
    require(CHROMIUM.exists(), "Debian's chromium is not installed at /usr/bin/chromium")
    require(AXE_JS.exists(), f"{AXE_JS.relative_to(ROOT)} is missing")
    try:
        import playwright  # noqa: F401
    except ImportError:
        require(False, "the playwright Python package is not installed")
