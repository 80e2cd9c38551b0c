"""Screenshots of the page of ``annograph serve`` for the docs (docs/img/serve-*.png), taken in
headless Chromium on the shipped demo project, and the page's load time.

    .venv/bin/python docs/_tools/screenshots.py

Builds the demo project (this repository's data/, ontology/ and queries/) into a temporary
store, starts ``annograph serve`` on a free loopback port, and drives Debian's chromium with the
browser tests' flags. Needs the 'serve' and 'test' extras and chromium (tests/setup.sh).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from annograph import Project
from annograph.serve._engine import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.serve.test_browser import FLAGS as BROWSER_FLAGS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "img"
# The browser tests' flags (what this machine's closed network needs), at a size for the docs.
FLAGS = (*BROWSER_FLAGS, "--window-size=1280,1150", "--hide-scrollbars")


def wait(driver: webdriver.Chrome, css: str) -> None:
    WebDriverWait(driver, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "annograph", "serve", "--project", str(ROOT)]
    process = subprocess.Popen([*command, "--store", str(store), "--port", str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.terminate()
    raise SystemExit("annograph serve did not start")


def load_times(driver: webdriver.Chrome, url: str, times: int = 5) -> list[tuple[float, float]]:
    """Milliseconds from navigation to DOMContentLoaded (YASGUI is drawn by then: app.js runs
    deferred, before it) and to the load event; the first visit with an empty cache first."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    measured = []
    for _ in range(times):
        driver.get(url)
        wait(driver, ".yasqe .CodeMirror")
        timing = driver.execute_script(
            "const t = performance.getEntriesByType('navigation')[0];"
            "return [t.domContentLoadedEventEnd, t.loadEventEnd]"
        )
        measured.append((float(timing[0]), float(timing[1])))
    return measured


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        project = Project(ROOT, store_path=Path(folder) / "store")
        project.build()
        port = free_port()
        server = serve(project.store, port)
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for flag in FLAGS:
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
        try:
            url = f"http://127.0.0.1:{port}/"
            times = load_times(driver, url)
            ready, loaded = times[0]
            again = statistics.median(t[0] for t in times[1:])
            print(f"first visit: editor drawn at {ready:.0f} ms, load event at {loaded:.0f} ms;")
            print(f"reloads (304s): editor drawn at {again:.0f} ms (median of {len(times) - 1})")
            driver.execute_script("localStorage.clear()")
            driver.get(url)
            wait(driver, ".yasqe .CodeMirror")
            driver.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror").click()
            keys = driver.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror textarea")
            keys.send_keys(Keys.CONTROL, "a")
            keys.send_keys(Keys.DELETE)
            keys.send_keys("SELECT ?person ?name WHERE { ?person a ag:Pers")
            wait(driver, ".CodeMirror-hints li")
            driver.save_screenshot(str(IMAGES / "serve-completion.png"))
            keys.send_keys(Keys.ENTER, " ; ag:name ?name } ORDER BY ?name LIMIT 10")
            driver.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
            wait(driver, ".tabPanel.active .yasr table.dataTable tbody tr")
            driver.find_element(By.CSS_SELECTOR, '#query-list button[data-query="entity"]').click()
            driver.find_element(By.ID, "run-saved").click()
            wait(driver, ".tabPanel.active .yasr a.entity")
            driver.save_screenshot(str(IMAGES / "serve-saved-query.png"))
            driver.find_element(
                By.CSS_SELECTOR, '#query-list button[data-query="class-counts"]'
            ).click()
            driver.find_element(By.ID, "run-saved").click()
            wait(driver, ".tabPanel.active .yasr table.dataTable tbody tr")
            driver.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr .select_chart").click()
            wait(driver, ".tabPanel.active .chart-box canvas")
            driver.execute_script(
                "document.querySelector('.tabPanel.active .yasr').scrollIntoView()"
            )
            driver.save_screenshot(str(IMAGES / "serve-chart.png"))
        finally:
            driver.quit()
            server.terminate()
            server.wait(timeout=10)
    for image in sorted(IMAGES.glob("serve-*.png")):
        print(f"{image.relative_to(ROOT)}: {image.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
