"""The web page of ``annograph serve`` in a real headless browser (Debian's chromium).

``tests/setup.sh`` installs chromium and its driver where it can (Debian, as root or with sudo).
Elsewhere these tests are skipped, unless ANNOGRAPH_REQUIRE_BROWSER is set (CI sets it), in
which case a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from annograph import Project
from tests.conftest import Server

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# What the machine's closed network needs: no background connections, no first-run dialogs.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = "chromium and chromedriver are not installed (bash tests/setup.sh installs them)"
        if os.environ.get("ANNOGRAPH_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    # An explicit driver path keeps Selenium Manager from trying to download one.
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _wait(browser: WebDriver, css: str) -> None:
    WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def test_a_saved_query_runs_from_the_page_and_shows_its_rows(
    browser: WebDriver, served: Server, built: Project
) -> None:
    expected = built.run_query("organizers")
    assert isinstance(expected, ox.QuerySolutions)
    names = sorted(row["organization_name"].value for row in expected)
    browser.get(served.url + "/")
    _wait(browser, '#query-list button[data-query="organizers"]')
    browser.find_element(By.CSS_SELECTOR, '#query-list button[data-query="organizers"]').click()
    assert "PREFIX ag:" in browser.find_element(By.ID, "editor").get_property("value")
    browser.find_element(By.ID, "run-saved").click()
    _wait(browser, "table.results tbody tr")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.results th")]
    column = headers.index("organization_name")
    shown = sorted(row.find_elements(By.TAG_NAME, "td")[column].text for row in rows)
    assert len(rows) == len(names) == 5
    assert shown == [f"{name} @en" for name in names]
    assert browser.find_element(By.ID, "status").text == "5 rows"


def test_a_parameter_form_binds_the_value_and_iris_open_entity_pages(
    browser: WebDriver, served: Server
) -> None:
    browser.get(served.url + "/")
    _wait(browser, '#query-list button[data-query="entity"]')
    browser.find_element(By.CSS_SELECTOR, '#query-list button[data-query="entity"]').click()
    field = browser.find_element(By.ID, "param-entity")
    assert field.get_property("value") == "id:bishkek"  # the query's default
    field.clear()
    field.send_keys("МОМ")
    browser.find_element(By.ID, "run-saved").click()
    _wait(browser, "table.results tbody tr a.entity")
    subjects = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.results a.entity")}
    assert "id:iom" in subjects
    link = next(
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "table.results a.entity")
        if a.text == "id:iom"
    )
    link.click()
    _wait(browser, "blockquote.quote")
    assert (
        "International Organization for Migration" in browser.find_element(By.TAG_NAME, "h1").text
    )
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "blockquote.quote")]
    assert any("МОМ" in quote for quote in quotes)


def test_the_editor_runs_sparql_with_the_prefixes_preloaded(
    browser: WebDriver, served: Server
) -> None:
    browser.get(served.url + "/")
    _wait(browser, "#query-list button")
    editor = browser.find_element(By.ID, "editor")
    assert "PREFIX id: <https://w3id.org/annograph/data/id/>" in editor.get_property("value")
    editor.clear()
    editor.send_keys(
        "PREFIX ag: <https://w3id.org/annograph/ontology#>\n"
        "SELECT ?name WHERE { <https://w3id.org/annograph/data/id/bishkek> ag:name ?name "
        'FILTER(lang(?name) = "ru") }'
    )
    browser.find_element(By.ID, "run").click()
    _wait(browser, "table.results tbody tr")
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.results td")]
    assert cells == ["Бишкек @ru"]
    editor.clear()
    editor.send_keys("SELEC nonsense")
    browser.find_element(By.ID, "run").click()
    _wait(browser, "#results .error")
    assert browser.find_element(By.ID, "status").text == "error 400"
