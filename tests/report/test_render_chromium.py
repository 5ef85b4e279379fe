"""The HTML and PDF forms in real headless Chromium: they render without console errors, the
PDF's pages become PNGs (pypdfium2), and no canary value is on any page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataward.report import build
from dataward.report.render import render
from dataward.runtime import use
from tests.report.conftest import CANARIES, Built, console_errors, need_chromium


@pytest.fixture(scope="module")
def doc(built: Built) -> dict[str, Any]:
    with use(built.rt):
        return build(built.rt.store)


def test_html_renders_in_chromium_without_errors(
    doc: dict[str, Any], browser: Any, tmp_path: Path, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "posture.html"
    page.write_bytes(render(doc, "html"))
    browser.get(page.as_uri())
    assert console_errors(browser) == []
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) >= 6
    assert all(c.size["width"] > 100 and c.size["height"] > 20 for c in charts)
    assert browser.find_element(By.ID, "n-datasets").text == str(doc["datasets"]["total"])
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Needs attention" in text and "PCI DSS" in text
    for canary in CANARIES:
        assert canary not in browser.page_source
    shot = artifacts / "posture-html.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_pages_become_pngs_without_canaries(doc: dict[str, Any], artifacts: Path) -> None:
    need_chromium()
    import pypdfium2 as pdfium

    data = render(doc, "pdf")
    assert data[:5] == b"%PDF-"
    pdf = pdfium.PdfDocument(data)
    try:
        assert len(pdf) >= 2  # the summary, charts, controls and inventory do not fit one page
        text = ""
        for i in range(len(pdf)):
            page = pdf[i]
            text += page.get_textpage().get_text_range()
            image = page.render(scale=1).to_pil()
            out = artifacts / f"posture-pdf-{i + 1}.png"
            image.save(out)
            colours = image.convert("L").getextrema()
            assert colours[0] < 128, f"page {i + 1} is blank"
    finally:
        pdf.close()
    assert "Data protection posture" in text
    assert "Executive summary" in text
    for canary in CANARIES:
        assert canary not in text
