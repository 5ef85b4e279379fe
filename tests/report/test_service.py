"""The service serves the latest report; the dashboard shows charts, scans as text, filters,
pagination, decisions and reports pages; the API docs work offline. The pages are checked in
real headless Chromium (no console error, no canary) with screenshots as artifacts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataward.report import build
from dataward.report.render import render
from dataward.report.runs import publish
from dataward.runtime import use
from dataward.server import create_app
from dataward.server.apikeys import create_key
from dataward.server.app import ServerConfig
from dataward.server.views import inventory, recent_scans
from tests.report.conftest import CANARIES, Built, console_errors
from tests.server.conftest import serve


@dataclass
class Service:
    url: str
    keys: dict[str, str]


@pytest.fixture(scope="module")
def service(built: Built) -> Iterator[Service]:
    store = built.rt.store
    with use(built.rt):
        keys = {
            role: create_key(store, f"report-{role}", role)[1]
            for role in ("admin", "steward", "pipeline", "auditor")
        }
        config = ServerConfig(max_body_bytes=200_000, rate_per_second=50, burst=200)
        with serve(create_app(built.rt, config)) as url:
            yield Service(url, keys)


def _get(service: Service, path: str, role: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {service.keys[role]}"} if role else {}
    return httpx.get(service.url + path, headers=headers, timeout=60)


def test_latest_report_is_served_with_its_hash(built: Built, service: Service) -> None:
    assert _get(service, "/v1/reports/latest").status_code == 401
    assert _get(service, "/v1/reports/latest", "pipeline").status_code == 403
    missing = _get(service, "/v1/reports/latest?format=csv", "auditor")
    assert missing.status_code == 404 and "dataward report posture" in missing.json()["detail"]
    assert _get(service, "/v1/reports/latest?format=xml", "auditor").status_code == 422
    with use(built.rt):
        doc = build(built.rt.store)
        body = render(doc, "json")
        published = publish(built.rt.store, body, fmt="json", generated_at=doc["generated_at"])
        html = render(doc, "html")
        publish(built.rt.store, html, fmt="html", generated_at=doc["generated_at"])
    got = _get(service, "/v1/reports/latest", "auditor")
    assert got.status_code == 200 and got.content == body
    assert got.headers["x-dataward-report-sha256"] == hashlib.sha256(body).hexdigest()
    assert got.headers["x-dataward-audit-event"] == str(published.event_index)
    page = _get(service, "/v1/reports/latest?format=html", "steward")
    assert page.status_code == 200 and page.content == html
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_api_docs_are_served_offline(service: Service) -> None:
    page = _get(service, "/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    bundle = _get(service, "/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert _get(service, "/docs/init.js").text.count("/openapi.json") == 1
    assert "/v1/reports/latest" in _get(service, "/openapi.json").json()["paths"]


def test_inventory_filters_and_pages(built: Built) -> None:
    store = built.rt.store
    with use(built.rt):
        every = inventory(store)
        assert every["total"] == 3 and every["pages"] == 1
        assert every["tags"]["PCI"] == 1
        pci = inventory(store, tag="PCI")
        assert [d["path"].rsplit("/", 1)[-1] for d in pci["items"]] == ["cards.csv"]
        found = inventory(store, q="PATIENTS")
        assert [d["path"].rsplit("/", 1)[-1] for d in found["items"]] == ["patients.csv"]
        pages = [inventory(store, page=p, per_page=2) for p in (1, 2, 3)]
        assert [len(p["items"]) for p in pages] == [2, 1, 1]  # a page past the end is the last
        assert pages[2]["page"] == 2 and pages[0]["pages"] == 2
        scans = recent_scans(store)
    assert scans and all(not s["summary"].startswith("[") for s in scans)
    assert "records in" in scans[0]["summary"]


def _sign_in(driver: Any, url: str, key: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/dashboard/login")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.ID, "charts"))


def test_dashboard_pages_in_chromium(
    service: Service, built: Built, browser: Any, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with use(built.rt):
        doc = build(built.rt.store)
        publish(built.rt.store, render(doc, "html"), fmt="html", generated_at=doc["generated_at"])
    _sign_in(browser, service.url, service.keys["auditor"])
    # the overview's own charts, and the latest JSON report's coverage and controls
    assert len(browser.find_elements(By.CSS_SELECTOR, "#charts svg.chart")) == 4
    assert "met" in browser.find_element(By.ID, "chart-controls").text
    scans = browser.find_element(By.ID, "scans").text
    assert "records in" in scans and "['" not in scans
    assert "3 of 3 datasets" in browser.find_element(By.ID, "inventory-count").text
    browser.save_screenshot(str(artifacts / "dashboard-overview.png"))

    Select(browser.find_element(By.ID, "tag-filter")).select_by_value("PCI")
    browser.find_element(By.CSS_SELECTOR, "#filters button").click()
    WebDriverWait(browser, 30).until(lambda d: "tag=PCI" in d.current_url)
    inv = browser.find_element(By.ID, "inventory").text
    assert "1 of 3 datasets" in inv and "cards.csv" in inv and "patients.csv" not in inv
    browser.find_element(By.ID, "search").clear()
    browser.get(f"{service.url}/dashboard?q=patients")
    inv = browser.find_element(By.ID, "inventory").text
    assert "patients.csv" in inv and "cards.csv" not in inv
    assert console_errors(browser) == []

    browser.get(f"{service.url}/dashboard/decisions")
    assert "3 decisions" in browser.find_element(By.ID, "decisions-count").text
    browser.save_screenshot(str(artifacts / "dashboard-decisions.png"))
    browser.get(f"{service.url}/dashboard/alerts")
    alerts = browser.find_element(By.ID, "alerts").text
    assert "al-1" in alerts and "high" in alerts and "volume" in alerts
    browser.get(f"{service.url}/dashboard/reports")
    assert "html" in browser.find_element(By.ID, "reports").text
    browser.find_element(By.ID, "latest-report").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "controls"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 6
    browser.save_screenshot(str(artifacts / "dashboard-report.png"))
    assert console_errors(browser) == []  # the report's inline style passes its CSP

    browser.get(f"{service.url}/docs")
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"))
    assert "/v1/reports/latest" in browser.find_element(By.ID, "swagger-ui").text
    browser.save_screenshot(str(artifacts / "api-docs.png"))
    assert console_errors(browser) == []
    for path in (
        "/dashboard",
        "/dashboard/decisions",
        "/dashboard/alerts",
        "/dashboard/reports/latest",
    ):
        browser.get(service.url + path)
        for canary in CANARIES:
            assert canary not in browser.page_source, (canary, path)
