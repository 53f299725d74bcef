"""The emailed link's page in a real headless browser (Debian's chromium and its driver,
through Selenium): the facts, Accept, Decline, a dead link, and a phone-width screenshot kept
under tests/artifacts/."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import presence_of_element_located
from selenium.webdriver.support.wait import WebDriverWait
from sqlalchemy import Engine

from tests.conftest import OWNER
from tests.e2e.emailed import OUTSIDER, Emailing, emailing
from tests.e2e.steps import access, wait_for_dm
from tests.slack_stub import SlackStub

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = (390, 844)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        raise RuntimeError("install chromium and chromium-driver (scripts/browser does)")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    running = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    # A phone's viewport (a headless window is never narrower than 500 px).
    metrics = {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True}
    running.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        yield running
    finally:
        running.quit()


@pytest.fixture
def emailed(engine: Engine, stub: SlackStub) -> Iterator[Emailing]:
    with emailing(engine, stub) as running:
        yield running


def text_of(browser: webdriver.Chrome, element_id: str) -> str:
    return str(browser.find_element(By.ID, element_id).text)


def press(browser: webdriver.Chrome, button_id: str) -> str:
    """Press the page's button; once the next page has loaded, its outcome line."""
    browser.find_element(By.ID, button_id).click()
    WebDriverWait(browser, 10).until(presence_of_element_located((By.ID, "outcome")))
    return text_of(browser, "outcome")


def test_accepting_on_the_page(emailed: Emailing, browser: webdriver.Chrome) -> None:
    link = emailed.invite_outsider(["invoices", "tickets"])
    browser.delete_all_cookies()
    browser.get(link)

    assert text_of(browser, "account") == "Acme Ltd"
    assert text_of(browser, "inviter") == "owner"
    permissions = text_of(browser, "permissions")
    assert "View & Pay Invoices" in permissions
    assert "access to open, respond to and manage support tickets" in permissions
    assert "Modify Master Account Profile" not in permissions
    assert "expires" in text_of(browser, "expiry")
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert browser.execute_script("return window.innerWidth") == PHONE[0]
    assert overflow <= 0, "the page scrolls sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "invitation-phone.png"))

    assert press(browser, "accept") == "You accepted the invitation"
    user = access(emailed.running, OUTSIDER)
    assert (user["status"], user["permissions"]) == ("active", ["invoices", "tickets"])
    wait_for_dm(emailed.running, OWNER, "accepted your invitation")
    stub = emailed.running.stub  # the owner's App Home lists them as an active user
    stub.wait_for(
        lambda _c: "User · Active" in json.dumps(stub.home_view(OWNER), ensure_ascii=False)
    )

    browser.get(link)
    assert text_of(browser, "outcome") == "This link cannot be used"


def test_declining_on_the_page(emailed: Emailing, browser: webdriver.Chrome) -> None:
    link = emailed.invite_outsider()
    browser.delete_all_cookies()
    browser.get(link)
    assert press(browser, "decline") == "You declined the invitation"
    assert access(emailed.running, OUTSIDER)["status"] == "declined"
    wait_for_dm(emailed.running, OWNER, "declined your invitation")


def test_a_dead_link_says_so_and_nothing_more(emailed: Emailing, browser: webdriver.Chrome) -> None:
    link = emailed.invite_outsider()
    emailed.running.slack.command(OWNER, f"revoke {OUTSIDER}")
    browser.get(link)
    assert text_of(browser, "outcome") == "This link cannot be used"
    assert "Acme" not in browser.page_source and OUTSIDER not in browser.page_source


def test_a_replayed_answer_without_the_page_is_refused(
    emailed: Emailing, browser: webdriver.Chrome
) -> None:
    """The browser submits the page's form after its CSRF cookie is gone (a replay from
    elsewhere carries none): nothing changes."""
    link = emailed.invite_outsider()
    browser.get(link)
    browser.delete_all_cookies()
    assert press(browser, "accept") == "This link cannot be used"
    assert "did not come from the invitation page" in text_of(browser, "problem")
    assert access(emailed.running, OUTSIDER)["status"] == "invited"
