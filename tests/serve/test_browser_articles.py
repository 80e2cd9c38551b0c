"""Article pages in a real headless browser: every quote marked, a mark's facts on hover and on
focus, and an entity page's quote link landing on its mark (see test_browser.py for the set-up).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from annograph import Project
from tests.conftest import Server
from tests.serve.test_browser import _wait, browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]
__all__ = ["browser"]  # the fixture, shared

SLUG = "bishkek-migrants-day"


def _positions(built: Project, store: ox.Store) -> set[str]:
    rows = store.query(
        "SELECT DISTINCT ?start ?end WHERE { GRAPH <" + built.article_graph(SLUG) + "> { "
        "?p <http://www.w3.org/ns/oa#start> ?start ; <http://www.w3.org/ns/oa#end> ?end } }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {f"q{row['start'].value}-{row['end'].value}" for row in rows}


def _popup(browser: WebDriver) -> str:
    popup = browser.find_element(By.ID, "ev-popup")
    WebDriverWait(browser, 5).until(lambda _: popup.is_displayed())
    return str(popup.text)


def test_every_quote_is_marked_and_hovering_shows_its_facts(
    browser: WebDriver, served: Server, built: Project, store: ox.Store
) -> None:
    browser.get(f"{served.url}/article/{SLUG}?lang=en")
    _wait(browser, "mark.ev")
    firsts = browser.find_elements(By.CSS_SELECTOR, "#text mark.ev[id]")
    assert {m.get_attribute("id") for m in firsts} == _positions(built, store)
    # Marks cover exactly the quoted words: the text at each is the quote the facts give.
    batken = browser.find_element(By.ID, "q1325-1334")
    assert batken.text == "г. Баткен"
    ActionChains(browser).move_to_element(batken).perform()
    shown = _popup(browser)
    assert "г. Баткен" in shown and "Batken is a city or town" in shown
    # The spans it is inside are shown too, innermost first.
    assert shown.index("[1325:1334]") < shown.index("[1323:1353]")
    link = browser.find_element(By.CSS_SELECTOR, "#ev-popup a.entity")
    assert link.get_attribute("href").startswith(served.url + "/entity?id=")


def test_focusing_a_mark_by_keyboard_shows_its_facts_and_enter_reaches_its_links(
    browser: WebDriver, served: Server
) -> None:
    browser.get(f"{served.url}/article/{SLUG}?lang=ru")
    _wait(browser, "mark.ev")
    browser.find_element(By.TAG_NAME, "body").click()
    first = browser.find_element(By.CSS_SELECTOR, "#text mark.ev[id]")
    for _ in range(30):  # Tab until the first mark has the focus
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element.get_attribute("id") == first.get_attribute("id"):
            break
    else:
        pytest.fail("Tab never reached the first mark")
    assert "заголовок" in _popup(browser)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "ev-popup"
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.tag_name == "a"  # a link in the facts
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    assert not browser.find_element(By.ID, "ev-popup").is_displayed()
    assert browser.switch_to.active_element.get_attribute("id") == first.get_attribute("id")


def test_an_entity_pages_quote_link_lands_on_the_mark(browser: WebDriver, served: Server) -> None:
    browser.get(f"{served.url}/entity?id=batken&lang=en")
    _wait(browser, "a.in-article")
    link = browser.find_element(By.CSS_SELECTOR, f'a.in-article[href*="/article/{SLUG}#"]')
    key = link.get_attribute("href").rsplit("#", 1)[1]
    link.click()
    _wait(browser, f"mark.ev.target#{key}")
    mark = browser.find_element(By.ID, key)
    assert browser.switch_to.active_element == mark
    # Scrolled into view: the mark is within the window.
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", mark)
    height = browser.execute_script("return window.innerHeight")
    assert 0 <= top <= height - 20
    assert f"[{key[1:].replace('-', ':')}]" in _popup(browser)


def test_a_static_page_from_annograph_docs_works_from_the_disk(
    browser: WebDriver, built: Project, store: ox.Store, tmp_path: Path
) -> None:
    """The page ``annograph docs`` writes, opened as a file: no server, the same marks, and its
    entity links land on the side panel's entries."""
    built.write_docs(tmp_path)
    browser.get((tmp_path / "articles" / f"{SLUG}.html").as_uri())
    _wait(browser, "mark.ev")
    firsts = browser.find_elements(By.CSS_SELECTOR, "#text mark.ev[id]")
    assert {m.get_attribute("id") for m in firsts} == _positions(built, store)
    batken = browser.find_element(By.ID, "q1325-1334")
    ActionChains(browser).move_to_element(batken).click().perform()
    link = browser.find_element(By.CSS_SELECTOR, "#ev-popup a.entity")
    target = link.get_attribute("href").rsplit("#", 1)[1]
    link.click()
    WebDriverWait(browser, 5).until(lambda b: b.current_url.endswith("#" + target))
    assert browser.find_element(By.ID, target).is_displayed()
    assert browser.current_url.startswith("file://")
