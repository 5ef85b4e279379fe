from __future__ import annotations

import dataward as dw

DOCUMENTED_API = {
    "AuditError",
    "ConfigError",
    "DatawardError",
    "DetectorError",
    "Explanation",
    "Finding",
    "PolicyError",
    "Runtime",
    "SourceError",
    "UnknownNameError",
    "__version__",
    "detect",
    "detect_batch",
    "get_engine",
    "open",
    "decide",
    "protect",
    "scan",
}


def test_public_api_is_pinned() -> None:
    assert set(dw.__all__) == DOCUMENTED_API
    for name in dw.__all__:
        assert hasattr(dw, name)


def test_detect_returns_findings_without_values() -> None:
    [f] = dw.detect("Reach me at ada@example.org", entities=["EMAIL_ADDRESS"])
    assert (f.entity, f.start, f.end) == ("EMAIL_ADDRESS", 12, 27)
    assert "ada@example.org" not in repr(f)
