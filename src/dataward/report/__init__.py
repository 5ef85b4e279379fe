"""Posture and compliance reports: what sensitive data exists where, what was protected how,
which decisions let which jobs use it, what the audit log proves; mapped to GDPR, HIPAA, CCPA,
PCI DSS and the EU AI Act (``docs/report.md``).

:func:`build` reads a store into one report document; :mod:`dataward.report.render` writes it
as JSON, HTML (inline SVG charts), PDF (headless Chromium), OSCAL assessment results and the
GDPR Art. 30 records as CSV; :func:`dataward.report.runs.publish` records a written report as
an audit event with its hash.
"""

from __future__ import annotations

from dataward.report.evidence import ReportError
from dataward.report.posture import FRAMEWORKS, build, load_controls, parse_frameworks

__all__ = ["FRAMEWORKS", "ReportError", "build", "load_controls", "parse_frameworks"]
