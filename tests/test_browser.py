"""The built HTML book as a reader's browser shows it.

Every page of _toc.yml is opened in headless Chromium (Debian's chromium and
chromium-driver, driven by Selenium) from a local http.server, and checked: it loads;
MathJax typesets every equation without an error; every image has loaded, and a chapter
whose notebook has figures shows them; every solution dropdown opens on a click; the
Colab install cell stays hidden; the
Colab button of a chapter points at that chapter's notebook in the repository of
_config.yml; and every relative link points at a file (and anchor) that exists.
A full-page screenshot of each page goes to _build/screenshots/.

MathJax 3 normally comes from a CDN that a test machine may not reach; the server hands
out a local copy (npm package mathjax@3) in its place by rewriting the script address in
each page as it serves it.

Opt-in and slow: runs only when GRU_BOOK_SLOW_TESTS=1 (.ci/run sets it).
GRU_BOOK_HTML=<dir>     use an already built _build/html instead of building the book;
GRU_BOOK_MATHJAX=<dir>  MathJax's es5/ folder (else ~/.cache/gru-book/mathjax, npm-installed).
"""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from _book import ROOT, SLOW_ENV, colab_url, notebooks_module, slow_tests_enabled, source_of, toc_files

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not slow_tests_enabled(), reason=f"slow browser test: set {SLOW_ENV}=1 to run it"),
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MATHJAX_CDN = re.compile(r"https://cdn\.jsdelivr\.net/npm/mathjax@3/es5/")
MATHJAX_LOCAL = "/_mathjax/"
SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = toc_files()


# --- What the browser needs ------------------------------------------------------------------

@pytest.fixture(scope="module")
def html_dir(tmp_path_factory) -> Path:
    given = os.environ.get("GRU_BOOK_HTML")
    if given:
        path = Path(given)
        assert (path / "index.html").exists(), f"GRU_BOOK_HTML={given} holds no built book (no index.html)"
        return path
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(["jupyter-book", "build", str(ROOT), "--path-output", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return out / "_build" / "html"


def find_mathjax() -> Path:
    given = os.environ.get("GRU_BOOK_MATHJAX")
    if given:
        path = Path(given)
        assert (path / "tex-mml-chtml.js").exists(), f"GRU_BOOK_MATHJAX={given} has no tex-mml-chtml.js"
        return path
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gru-book" / "mathjax"
    es5 = cache / "node_modules" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("MathJax 3 is not available here: no GRU_BOOK_MATHJAX and no npm to install mathjax@3")
        cache.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "mathjax@3"],
                           capture_output=True, text=True)
        if r.returncode != 0 or not (es5 / "tex-mml-chtml.js").exists():
            pytest.skip(f"MathJax 3 could not be installed with npm (no registry?): {r.stderr[-500:]}")
    return es5


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built book, with MathJax from a local folder instead of the CDN."""

    mathjax: Path
    missing: list  # paths that answered 404, other than the browser's favicon probe

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        if path.startswith(MATHJAX_LOCAL):
            return str(self.mathjax / unquote(urlsplit(path).path[len(MATHJAX_LOCAL):]))
        return super().translate_path(path)

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix == ".html" and path.is_file():
            body = MATHJAX_CDN.sub(MATHJAX_LOCAL, path.read_text(encoding="utf-8")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def send_error(self, code, *args, **kwargs):
        if code == 404 and urlsplit(self.path).path != "/favicon.ico":
            self.missing.append(self.path)
        super().send_error(code, *args, **kwargs)


@pytest.fixture(scope="module")
def site(html_dir):
    """Base URL of the book served on 127.0.0.1, and the list of 404s it answered."""
    missing: list = []
    handler = type("Handler", (BookHandler,), {"mathjax": find_mathjax(), "missing": missing})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(html_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", missing
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(f"no browser: {CHROMIUM} or {CHROMEDRIVER} missing (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Headless, as root, on a machine with no network but loopback: no sandbox, and no
    # background connections that would only be refused.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


# --- Page checks --------------------------------------------------------------------------------

def notebook_has_figures(page: str) -> bool:
    src = source_of(page)
    if src is None or src.suffix != ".ipynb":
        return False
    nb = json.loads(src.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags or "remove-output" in tags:
            continue
        for out in cell.get("outputs", []):
            if {"image/png", "image/svg+xml", "image/jpeg"} & set(out.get("data", {})):
                return True
    return False


def wait_for(driver, script, *args, timeout=20.0):
    """Run `script` (with `args`) until it returns something true, or `timeout` seconds pass."""
    end = time.time() + timeout
    while time.time() < end:
        value = driver.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.1)
    return driver.execute_script(script, *args)


def check_mathjax(driver, html: str) -> list[str]:
    n_math = driver.execute_script("return document.querySelectorAll('.math').length")
    if n_math == 0:
        return []
    if not MATHJAX_CDN.search(html):
        return [f"{n_math} math elements but no MathJax 3 script from {MATHJAX_CDN.pattern} (test needs updating?)"]
    state = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        if (!window.MathJax || !MathJax.startup) { done('MathJax did not load'); return; }
        MathJax.startup.promise.then(() => done('ok')).catch(e => done('MathJax failed: ' + e));""")
    if state != "ok":
        return [state]
    n_done, n_errors, raw = driver.execute_script("""
        const left = [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container'));
        return [document.querySelectorAll('.math mjx-container').length,
                document.querySelectorAll('mjx-merror').length,
                left.slice(0, 3).map(e => e.textContent.slice(0, 80))];""")
    problems = []
    if n_done != n_math:
        problems.append(f"MathJax typeset {n_done} of {n_math} math elements; untypeset: {raw}")
    if n_errors:
        texts = driver.execute_script(
            "return [...document.querySelectorAll('mjx-merror')].slice(0, 3).map(e => e.getAttribute('data-mjx-error') || e.textContent)")
        problems.append(f"{n_errors} MathJax errors: {texts}")
    return problems


def check_images(driver, page: str) -> list[str]:
    problems = []
    for img in driver.find_elements("css selector", "img"):
        if driver.execute_script("return arguments[0].offsetParent === null", img):
            continue   # not rendered (display: none), e.g. the dark-mode logo in light mode
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", img)
        loaded = wait_for(driver, "return arguments[0].complete && arguments[0].naturalWidth > 0", img, timeout=10)
        if not loaded:
            problems.append(f"image did not load: {img.get_attribute('src')}")
    if notebook_has_figures(page):
        figures = driver.execute_script(
            "return [...document.querySelectorAll('.cell_output img, figure img')].filter(i => i.naturalWidth > 0).length")
        if figures == 0:
            problems.append("the notebook has figure outputs but the page shows none")
    return problems


def solutions_in_source(page: str) -> int:
    src = source_of(page)
    return src.read_text(encoding="utf-8").count("{solution-start}") if src is not None else 0


def check_dropdowns(driver, page: str) -> list[str]:
    """Click every solution dropdown (sphinx-togglebutton) and every <details>; each must open.
    The page must show one solution dropdown per solution in its source."""
    problems = []
    expected = solutions_in_source(page)
    shown = len(driver.find_elements("css selector", ".solution.dropdown"))
    if shown != expected:
        problems.append(f"{shown} solution dropdowns on the page, {expected} solutions in the source")
    toggles = driver.find_elements("css selector", ".admonition.dropdown")
    for i, box in enumerate(toggles):
        label = box.get_attribute("id") or f"dropdown {i}"
        body = box.find_elements("css selector", ":scope > :not(.admonition-title)")
        if not body:
            problems.append(f"{label}: dropdown has no content")
            continue
        if body[0].is_displayed():
            problems.append(f"{label}: content visible before the click")
        button = box.find_element("css selector", ".toggle-button, .admonition-title")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        end = time.time() + 5
        while not body[0].is_displayed() and time.time() < end:
            time.sleep(0.05)
        if not body[0].is_displayed():
            problems.append(f"{label}: content still hidden after a click")
    details = driver.find_elements("css selector", "details")
    for i, d in enumerate(details):
        if d.get_attribute("open") is None:
            summary = d.find_element("css selector", "summary")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
            summary.click()
            if d.get_attribute("open") is None:
                problems.append(f"<details> {i} did not open on a click")
    return problems


def check_colab(driver, page: str) -> list[str]:
    links = [a.get_attribute("href") for a in driver.find_elements("css selector", "a[href*='colab.research.google.com']")]
    src = source_of(page)
    if src is None or src.suffix != ".ipynb":
        return [f"a Colab link on a page that is not a notebook: {links}"] if links else []
    expected = colab_url(page)
    if links != [expected]:
        return [f"Colab links {links}, expected [{expected}]"]
    # The rocket button opens the menu that holds the link.
    toggle = driver.find_element("css selector", ".dropdown-launch-buttons .dropdown-toggle")
    toggle.click()
    link = driver.find_element("css selector", "a[href*='colab.research.google.com']")
    visible = wait_for(driver, "return arguments[0].offsetParent !== null", link, timeout=5)
    toggle.click()   # close the menu again before the screenshot
    return [] if visible else ["the Colab link is not shown after clicking the launch (rocket) button"]


def check_links(driver, page_url: str, html_dir: Path) -> list[str]:
    problems = []
    hrefs = driver.execute_script("""
        return [...document.querySelectorAll('a[href], link[href], img[src], script[src]')]
               .map(e => e.getAttribute('href') || e.getAttribute('src'));""")
    for href in sorted(set(hrefs)):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
            continue   # absolute: another site, mailto:, javascript:
        url = urlsplit(urljoin(page_url, href))
        path = unquote(url.path)
        target = html_dir / path.lstrip("/")
        if path.startswith(MATHJAX_LOCAL):
            continue
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"broken link {href!r}: no file {target.relative_to(html_dir)}")
            continue
        if url.fragment and target.suffix == ".html":
            anchor = unquote(url.fragment)
            if target == html_dir / urlsplit(page_url).path.lstrip("/"):
                found = driver.execute_script("return document.getElementById(arguments[0]) !== null", anchor)
            else:
                found = f'id="{anchor}"' in target.read_text(encoding="utf-8")
            if not found:
                problems.append(f"broken anchor {href!r}: no id {anchor!r} in {target.relative_to(html_dir)}")
    return problems


def screenshot(driver, name: str) -> Path:
    """A full-page PNG: the viewport is stretched to the page's height for one capture
    (Selenium's own screenshot is the viewport only)."""
    width = driver.execute_script("return window.innerWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        time.sleep(0.3)   # let the stretched layout settle
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "fromSurface": True})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(page, browser, site, html_dir):
    base, missing = site
    before = len(missing)
    url = f"{base}/{page}.html"
    html_file = html_dir / f"{page}.html"
    assert html_file.exists(), f"{page} is in _toc.yml but was not built: no {html_file}"
    browser.get(url)
    problems = []
    title = browser.title
    if not title or "404" in title:
        problems.append(f"page title {title!r}")
    if not browser.find_elements("css selector", "main article, article.bd-article"):
        problems.append("no article element: the page did not render")
    if notebooks_module().INSTALL_MARK in browser.find_element("css selector", "body").text:
        problems.append("the hidden Colab install cell is visible on the page")
    problems += check_mathjax(browser, html_file.read_text(encoding="utf-8"))
    problems += check_images(browser, page)
    problems += check_colab(browser, page)
    problems += check_dropdowns(browser, page)
    problems += check_links(browser, url, html_dir)
    browser.execute_script("window.scrollTo(0, 0)")
    shot = screenshot(browser, page.replace("/", "_"))
    problems += [f"server answered 404 for {p}" for p in missing[before:]]
    assert not problems, f"{page} ({shot}):\n  " + "\n  ".join(problems)


def test_index_redirects_to_the_root_page(browser, site, html_dir):
    base, _ = site
    browser.get(f"{base}/index.html")
    root = toc_files()[0]
    assert wait_for(browser, f"return location.pathname.endsWith('/{root}.html')", timeout=10), \
        f"index.html led to {browser.current_url}, expected {root}.html"
