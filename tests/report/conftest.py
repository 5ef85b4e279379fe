"""One store built through the SDK for the report tests: scans, a protect run, decisions and an
alert, with canary values in the data that no report may show."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import dataward as dw
from dataward.audit.events import AlertEvent, LineageEvent
from dataward.runtime import Runtime, use
from dataward.scope import Scope
from dataward.settings import load_settings

CANARY_EMAIL = "canary.7731@example.org"
CANARY_SSN = "078-05-1120"
CANARY_NAME = "Zebulon Quagmire"
CANARY_CARD = "4539578763621486"
CANARIES = (CANARY_EMAIL, CANARY_SSN, CANARY_NAME, CANARY_CARD, "Quagmire", "canary.7731")

PATIENTS = (
    "name,email,ssn,zip,diagnosis\n"
    f"{CANARY_NAME},{CANARY_EMAIL},{CANARY_SSN},03601,diabetes\n"
    "Ada Lovelace,ada.l@example.org,219-09-9999,10001,asthma\n"
    "Grace Hopper,grace.h@example.net,457-55-5462,94105,hypertension\n"
)
CARDS = f"holder,card\nAlan Turing,{CANARY_CARD}\nKatherine Johnson,5425233430109903\n"
PLAIN = "product,count\nwidget,3\ngadget,4\n"


def request(action: str, tags: list[str], purpose: str = "research") -> dict[str, object]:
    return {
        "principal": {"type": "User", "id": "ann"},
        "action": action,
        "resource": {"type": "Dataset", "id": "patients", "tags": tags},
        "context": {"purpose": purpose},
    }


@dataclass
class Built:
    rt: Runtime
    root: Path
    effects: list[str]


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, _pattern_cache: Path, _compiled: Scope
) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("report")
    data = root / "data"
    data.mkdir()
    (data / "patients.csv").write_text(PATIENTS)
    (data / "cards.csv").write_text(CARDS)
    (data / "plain.csv").write_text(PLAIN)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAWARD_CACHE_DIR", str(_pattern_cache))
        mp.chdir(root)
        settings = load_settings(home=root / "home")
        rt = Runtime(scope=Scope(settings, share=_compiled))
        with use(rt):
            dw.scan(data)
            dw.protect(data / "patients.csv")
            effects = [
                dw.decide(request("train", ["PHI"], "marketing")).effect,
                dw.decide(request("train", ["PII"])).effect,
                dw.decide(request("evaluate", ["PUBLIC"])).effect,
            ]
            rt.emit(
                AlertEvent(alert_id="al-1", action="raised", severity="high", alert_kind="volume")
            )
            rt.emit(
                LineageEvent(
                    run_id="r1",
                    job="protect",
                    event_type="COMPLETE",
                    inputs=["data/patients.csv"],
                    outputs=["data/patients.protected.csv"],
                )
            )
        yield Built(rt, root, effects)
        rt.close()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def need_chromium() -> None:
    """Skip without Chromium here; CI must have it (scripts/check installs it)."""
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium and chromium-driver (scripts/check)")
        pytest.skip("chromium and chromedriver are not installed")


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots and page images go: $DATAWARD_TEST_ARTIFACTS/report, else the run's
    temporary folder (its path is printed with -s)."""
    base = os.environ.get("DATAWARD_TEST_ARTIFACTS")
    folder = Path(base) / "report" if base else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium through Selenium, keeping the page's console messages."""
    need_chromium()
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
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.binary_location = CHROMIUM or ""
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
