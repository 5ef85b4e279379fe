"""The dashboard in real headless Chromium: sign in, read the inventory, decisions and audit."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import Live
from tests.server.test_e2e import CANARY_SSN, _patients

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser() -> Iterator[object]:
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium and chromium-driver (scripts/check)")
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def _sign_in(driver: object, key: str) -> None:
    """Type a key into the sign-in form, submit it and wait for the next page."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    button = driver.find_element(By.CSS_SELECTOR, "button[type=submit]")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "key").send_keys(key)  # type: ignore[attr-defined]
    button.click()

    def left(_driver: object) -> bool:
        """The form's page is gone: its button is stale, or (Chromium, mid-navigation) "does
        not belong to the document"."""
        try:
            button.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, 30).until(left)
    WebDriverWait(driver, 30).until(  # the next page, fully loaded (the dashboard may be slow)
        lambda d: (
            d.execute_script("return document.readyState") == "complete"
            and d.find_elements(By.CSS_SELECTOR, "main")
        )
    )


def _seed(live: Live, tmp_path: Path) -> None:
    import dataward as dw

    dw.scan([_patients(tmp_path / "landing")], sample=500)
    dw.decide(
        {
            "principal": {"type": "ServiceAccount", "id": "trainer", "groups": ["ml"]},
            "action": "train",
            "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI", "PII_HIGH"]},
            "context": {"purpose": "marketing", "environment": "prod", "transforms": []},
        }
    )


def test_dashboard_in_chromium(live: Live, tmp_path: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By

    _seed(live, tmp_path)
    driver = browser
    driver.get(f"{live.url}/dashboard")  # type: ignore[attr-defined]
    assert "/dashboard/login" in driver.current_url  # type: ignore[attr-defined]

    _sign_in(driver, "dw_nope_nope")
    assert "not valid" in driver.find_element(By.ID, "login-error").text  # type: ignore[attr-defined]

    _sign_in(driver, live.keys["auditor"])
    assert driver.current_url.endswith("/dashboard"), driver.page_source[:3000]  # type: ignore[attr-defined]

    inventory = driver.find_element(By.ID, "inventory").text  # type: ignore[attr-defined]
    assert "patients.csv" in inventory and "US_SSN" in inventory and "PHI" in inventory
    decisions = driver.find_element(By.ID, "decisions").text  # type: ignore[attr-defined]
    assert "trainer" in decisions and "train" in decisions
    assert "verified" in driver.find_element(By.ID, "audit-status").text  # type: ignore[attr-defined]
    assert CANARY_SSN not in driver.page_source  # type: ignore[attr-defined]

    shot = tmp_path / "dashboard.png"
    assert driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000

    # Sign out is a form post (with the session's CSRF token, from this origin): it works from
    # the page, and the session is gone afterwards.
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "sign-out").click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 30).until(lambda d: "/dashboard/login" in d.current_url)
    driver.get(f"{live.url}/dashboard")  # type: ignore[attr-defined]
    assert "/dashboard/login" in driver.current_url  # type: ignore[attr-defined]


def test_pipeline_keys_cannot_open_the_dashboard(live: Live, browser: object) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(f"{live.url}/dashboard/login")  # type: ignore[attr-defined]
    _sign_in(driver, live.keys["pipeline"])
    assert "cannot open the dashboard" in driver.find_element(By.ID, "login-error").text  # type: ignore[attr-defined]
