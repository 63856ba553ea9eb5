"""Headless Chromium from Debian, driven by Selenium, for the map tests and the benchmark.

Uses /usr/bin/chromium and /usr/bin/chromedriver (``make system-deps`` installs them), so
nothing is downloaded. Every page load is recorded through Chrome's performance log, so
a test can list each request the page made.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMEDRIVER", "LOOPBACK_ONLY", "available", "chromium", "requests_made"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def available() -> bool:
    """Whether the Debian browser and driver are installed."""
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


#: Flags that cut the browser off from every address but this machine's loopback: each
#: host name fails to resolve (except 127.0.0.1), and any other request is sent to a proxy
#: that is not there (Chromium never sends loopback requests to a proxy).
LOOPBACK_ONLY = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 "--proxy-server=http://127.0.0.1:9"]


@contextmanager
def chromium(width: int = 1400, height: int = 900, flags: list[str] = ()):
    """A fresh headless Chromium (its own profile folder), closed afterwards; `flags` are
    added to the command line (e.g. :data:`LOOPBACK_ONLY`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="aco-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + list(flags) + [f"--user-data-dir={profile}",
                                       f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get("about:blank")
        driver.get_log("performance")  # drop what the browser loaded for itself at start
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requests_made(driver) -> list[str]:
    """Every URL the pages requested since the last call (chrome-internal pages excluded)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(("chrome://", "chrome-untrusted://", "about:")):
                urls.append(url)
    return urls
