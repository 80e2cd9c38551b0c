"""The web page of ``annograph serve`` (YASGUI, vendored) in a real headless browser (Debian's
chromium): the editor, the saved queries, result links to entity pages, and no request that
leaves the machine.

``tests/setup.sh`` installs chromium and its driver where it can (Debian, as root or with sudo).
Elsewhere these tests are skipped, unless ANNOGRAPH_REQUIRE_BROWSER is set (CI sets it), in
which case a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

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
    # Every request the page makes, read back from the DevTools log (test_no_request_...).
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
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


def _open_page(browser: WebDriver, url: str) -> None:
    """The page as a first visit sees it: YASGUI keeps its tabs in local storage."""
    browser.execute_cdp_cmd(
        "Storage.clearDataForOrigin", {"origin": url, "storageTypes": "local_storage"}
    )
    browser.get(url + "/")
    _wait(browser, "#query-list button")
    _wait(browser, ".yasqe .CodeMirror")


def _editor_text(browser: WebDriver) -> str:
    return str(browser.execute_script("return annograph.yasgui.getTab().getYasqe().getValue()"))


def _type_in_editor(browser: WebDriver, text: str) -> None:
    """Replace the editor's text by typing, as a user does (CodeMirror reads a hidden textarea)."""
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror").click()
    keys = browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror textarea")
    keys.send_keys(Keys.CONTROL, "a")
    keys.send_keys(Keys.DELETE)
    keys.send_keys(text)


def _tab_names(browser: WebDriver) -> list[str]:
    names = browser.execute_script(
        "const tabs = annograph.yasgui.persistentConfig;"
        "return tabs.getTabs().map((id) => tabs.getTab(id).name)"
    )
    return [str(name) for name in names]


def _table(browser: WebDriver) -> tuple[list[str], list[list[str]]]:
    """The active tab's result table: its column names and its rows' cells, as the page shows
    them by default (YASR's Simple view: values as they read, no row numbers)."""
    css = ".tabPanel.active .yasr table.dataTable"
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, f"{css} thead th")]
    rows = [
        [str(td.get_attribute("textContent")) for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in browser.find_elements(By.CSS_SELECTOR, f"{css} tbody tr")
    ]
    return headers, rows


def _open_saved(browser: WebDriver, name: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f'#query-list button[data-query="{name}"]').click()
    _wait(browser, f'#saved[data-query="{name}"]')


def test_a_saved_query_opens_in_a_tab_and_runs_through_the_api(
    browser: WebDriver, served: Server, built: Project
) -> None:
    expected = built.run_query("organizers")
    assert isinstance(expected, ox.QuerySolutions)
    names = sorted(row["organization_name"].value for row in expected)
    _open_page(browser, served.url)
    _open_saved(browser, "organizers")
    assert _tab_names(browser) == ["Query", "organizers"]
    assert "PREFIX ag:" in _editor_text(browser)
    assert "#+" not in _editor_text(browser)  # the decorators are the API's, not SPARQL
    browser.find_element(By.ID, "run-saved").click()
    _wait(browser, ".tabPanel.active .yasr table.dataTable tbody tr")
    headers, rows = _table(browser)
    shown = sorted(row[headers.index("organization_name")] for row in rows)
    assert shown == names
    assert len(rows) == 5
    assert browser.find_element(By.ID, "status").text == "5 rows"
    # Opened again, the query's tab is selected, not made twice.
    browser.find_element(By.CSS_SELECTOR, ".tabsList .tab:first-child a").click()
    _open_saved(browser, "organizers")
    assert _tab_names(browser) == ["Query", "organizers"]


def test_a_parameter_form_binds_the_value_and_iris_open_entity_pages(
    browser: WebDriver, served: Server
) -> None:
    _open_page(browser, served.url)
    _open_saved(browser, "entity")
    field = browser.find_element(By.ID, "param-entity")
    assert field.get_property("value") == "id:bishkek"  # the query's default
    field.clear()
    field.send_keys("nobody-here")
    browser.find_element(By.ID, "run-saved").click()
    _wait(browser, ".tabPanel.active .yasr .errorResult")
    error = browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr .errorResult").text
    assert "needs an IRI, not 'nobody-here'" in error  # the server's message, in the results
    assert browser.find_element(By.ID, "status").text.startswith("error 4")
    field = browser.find_element(By.ID, "param-entity")
    field.clear()
    field.send_keys("МОМ")
    browser.find_element(By.ID, "run-saved").click()
    _wait(browser, ".tabPanel.active .yasr a.entity")
    links = browser.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr a.entity")
    assert "id:iom" in {a.text for a in links}
    link = next(a for a in links if a.text == "id:iom")
    assert link.get_attribute("href") == (
        served.url + "/entity?id=https%3A%2F%2Fw3id.org%2Fannograph%2Fdata%2Fid%2Fiom"
    )
    link.click()
    _wait(browser, "blockquote.quote")
    assert (
        "International Organization for Migration" in browser.find_element(By.TAG_NAME, "h1").text
    )
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "blockquote.quote")]
    assert any("МОМ" in quote for quote in quotes)


def test_a_query_typed_in_the_editor_runs_and_fills_the_table(
    browser: WebDriver, served: Server
) -> None:
    _open_page(browser, served.url)
    assert "PREFIX id: <https://w3id.org/annograph/data/id/>" in _editor_text(browser)
    _type_in_editor(
        browser,
        "SELECT ?name WHERE { <https://w3id.org/annograph/data/id/bishkek> "
        '<https://w3id.org/annograph/ontology#name> ?name FILTER(lang(?name) = "ru") }',
    )
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    _wait(browser, ".tabPanel.active .yasr table.dataTable tbody tr")
    assert _table(browser) == (["name"], [["Бишкек"]])
    _type_in_editor(browser, "SELECT * WHERE { ?s ?p ?o } ORDER BY ?nonsense(")
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    _wait(browser, ".tabPanel.active .yasr .errorResult")
    error = browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr .errorResult").text
    assert "error at 1:48" in error  # the engine's message, by way of the server's 400


def _choice(browser: WebDriver, name: str) -> WebElement:
    return browser.find_element(By.CSS_SELECTOR, f'.tabPanel.active select[data-choice="{name}"]')


def _chart(browser: WebDriver) -> dict[str, Any]:
    """What the active tab's chart draws, read from its Chart.js instance."""
    chart: dict[str, Any] = browser.execute_script(
        "const c = Chart.getChart(document.querySelector('.tabPanel.active .chart-box canvas'));"
        "return {type: c.config.type, axis: c.options.indexAxis, labels: c.data.labels,"
        " data: c.data.datasets[0].data};"
    )
    return chart


def _hints(browser: WebDriver) -> list[str]:
    _wait(browser, ".CodeMirror-hints li")
    return [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]


def test_completions_come_from_the_project_and_no_request_leaves_the_machine(
    browser: WebDriver, served: Server, built: Project
) -> None:
    browser.get_log("performance")  # what earlier tests asked is not this test's
    _open_page(browser, served.url)
    _type_in_editor(browser, "SELECT ?name WHERE { ?s a ag:Per")
    # The prefix is declared from the project's prefixes (YASGUI would ask prefix.cc) ...
    assert _editor_text(browser).startswith("PREFIX ag: <https://w3id.org/annograph/ontology#>\n")
    # ... classes and properties come from the ontology (YASGUI would ask LOV).
    assert _hints(browser) == ["ag:Person", "ag:PersonGroup"]
    keys = browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .CodeMirror textarea")
    keys.send_keys(Keys.ENTER, " ; ag:na")
    keys.send_keys(Keys.CONTROL, " ")
    assert _hints(browser) == ["ag:name"]
    keys.send_keys(Keys.ENTER, ' ?name FILTER(lang(?name) = "en") } ORDER BY ?name LIMIT 1')
    assert _editor_text(browser).endswith(
        '{ ?s a ag:Person ; ag:name ?name FILTER(lang(?name) = "en") } ORDER BY ?name LIMIT 1'
    )
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    _wait(browser, ".tabPanel.active .yasr table.dataTable tbody tr")
    assert _table(browser) == (["name"], [["A. Zh. Asanbaev"]])
    # A saved query with a number column also shows as a chart (Chart.js, served with the page),
    # a bar per row by default, and as another kind or by another column when chosen.
    _open_saved(browser, "class-counts")
    browser.find_element(By.ID, "run-saved").click()
    _wait(browser, ".tabPanel.active .yasr table.dataTable tbody tr")
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr .select_chart").click()
    _wait(browser, ".tabPanel.active .chart-box canvas")
    counts = built.run_query("class-counts")
    assert isinstance(counts, ox.QuerySolutions)
    rows = list(counts)
    chart = _chart(browser)
    assert chart["type"] == "bar" and chart["axis"] == "x"
    assert len(chart["labels"]) == len(rows) > 10
    assert chart["labels"][0] == "ag:Observation"
    assert chart["data"] == [int(row["entities"].value) for row in rows]
    Select(_choice(browser, "chart")).select_by_value("pie")
    assert _chart(browser)["type"] == "pie"
    Select(_choice(browser, "chart")).select_by_value("horizontal")
    assert (_chart(browser)["type"], _chart(browser)["axis"]) == ("bar", "y")
    requested = [
        event["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (event := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    ]
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}
    assert any(url.endswith("/static/vendor/yasgui/yasgui.min.js") for url in requested)
    assert any(url.endswith("/static/vendor/chartjs/chart.umd.min.js") for url in requested)
    assert any("/api/queries/class-counts?" in url for url in requested)
