"""Headless Debian Chromium for the report's browser test, installed when missing.

A fresh machine has no browser, so the first run installs Debian's `chromium`
package with apt-get (as root; Debian's archive is reachable at install time).
Playwright drives it over the DevTools protocol with `executable_path`, so
Playwright never downloads a browser of its own. The browser runs with
background networking, component updates and sync off, from a throw-away
profile, and every request the page makes is recorded and, unless it is the
file itself, refused: the report must not need the network.

Run as a script it screenshots a report (`make report-screenshot` uses it):
    python tests/browser.py data/out/report.html docs/report.png
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_TIMEOUT = 1200  # seconds; apt-get fetches about 100 MB on a fresh machine
PACKAGES = ["chromium", "fonts-dejavu-core"]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 1000}


class BrowserUnavailable(RuntimeError):
    """Chromium is missing and cannot be installed, or will not start."""


def ensure_chromium() -> Path:
    """The path of Debian's chromium, installing the package first when it is missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise BrowserUnavailable(f"{CHROMIUM} is missing and this is not root: run `sudo apt-get install -y chromium`")
    if shutil.which("apt-get") is None:
        raise BrowserUnavailable(f"{CHROMIUM} is missing and there is no apt-get to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES]):
        _run(cmd, env)
    if not CHROMIUM.exists():
        raise BrowserUnavailable(f"installing chromium: apt-get succeeded but {CHROMIUM} is still missing")
    return CHROMIUM


def _run(cmd: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BrowserUnavailable(f"installing chromium: `{' '.join(cmd)}` did not finish in {INSTALL_TIMEOUT} s")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BrowserUnavailable(f"installing chromium: `{' '.join(cmd)}` exited {done.returncode}: {' | '.join(tail)}")


@dataclass
class Visit:
    """What a page did while it was open: console errors, uncaught exceptions, requests, dialogs."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def browser(chromium: Path):
    """A headless Chromium (Playwright persistent context on a throw-away profile)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="timeline-chromium-") as profile, sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=str(chromium), headless=True, args=FLAGS, viewport=VIEWPORT)
        except Exception as exc:  # playwright raises its own Error; say why the browser did not start
            raise BrowserUnavailable(f"{chromium} did not start: {str(exc).splitlines()[0]}") from exc
        try:
            yield context
        finally:
            context.close()


def open_page(context, url: str, visit: Visit):
    """A new page at `url` that records into `visit` and refuses every request but `url`'s own file."""
    page = context.new_page()
    page.on("console", lambda m: visit.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: visit.errors.append(f"uncaught: {exc}"))
    page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))

    def route(r):
        visit.requests.append(r.request.url)
        if r.request.url.split("#")[0] == url.split("#")[0]:
            r.continue_()
        else:
            visit.refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and pixels (one bytes object per pixel) of an 8-bit RGB(A), non-interlaced PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    size = 3 if colour == 2 else 4
    rows = _unfilter(zlib.decompress(idat), width * size, height, size)
    return width, height, [row[i:i + size] for row in rows for i in range(0, len(row), size)]


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]) & 0xFF
        rows.append(bytes(line))
        prev = line
    return rows


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def screenshot(report: Path, png: Path, height: int = 1400) -> None:
    """Open `report` and save a screenshot of its top `height` pixels (charts, filters, first events)."""
    with browser(ensure_chromium()) as context:
        visit = Visit()
        page = open_page(context, report.resolve().as_uri(), visit)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_selector("#chart-air .main-svg")
        page.screenshot(path=str(png))
        if visit.errors or visit.refused:
            raise SystemExit(f"{report}: {visit.errors or visit.refused}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python tests/browser.py REPORT.html OUT.png")
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
