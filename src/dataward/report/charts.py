"""Charts as inline SVG strings: no script, no network, the same in the report and the dashboard.

Every label is XML-escaped here; the charts are pure functions of numbers and names.

>>> "<svg" in bars("Decisions by effect", {"deny": 2, "allow": 1})
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
STATUS_COLORS = {
    "met": "#16a34a",
    "partial": "#d97706",
    "not_met": "#dc2626",
    "not_applicable": "#9ca3af",
    "deny": "#dc2626",
    "allow": "#16a34a",
    "allow_with_obligations": "#d97706",
    "high": "#dc2626",
    "medium": "#d97706",
    "low": "#2563eb",
}


def _color(name: str, i: int) -> str:
    return STATUS_COLORS.get(name, PALETTE[i % len(PALETTE)])


def _svg(title: str, width: int, height: int, body: str, chart_id: str) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'role="img" aria-label="{t}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}"><title>{t}</title>'
        f'<text x="0" y="14" font-size="13" font-weight="600" fill="#111827">{t}</text>'
        f"{body}</svg>"
    )


def bars(title: str, values: Mapping[str, int], chart_id: str = "") -> str:
    """Horizontal bars, one per name, labelled with its value."""
    chart_id = chart_id or "chart-" + title.lower().replace(" ", "-")
    width, row = 420, 22
    if not values:
        return _svg(
            title,
            width,
            44,
            '<text x="0" y="36" font-size="12" fill="#6b7280">none</text>',
            chart_id,
        )
    top = max(values.values()) or 1
    parts = []
    for i, (name, n) in enumerate(values.items()):
        y = 24 + i * row
        w = int(220 * n / top)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="#374151">{escape(str(name))[:28]}'
            f'</text><rect x="170" y="{y + 3}" width="{max(w, 1)}" height="15" rx="2" '
            f'fill="{_color(str(name), i)}"><title>{escape(str(name))}: {n}</title></rect>'
            f'<text x="{176 + w}" y="{y + 14}" font-size="12" fill="#111827">{n}</text>'
        )
    return _svg(title, width, 30 + row * len(values), "".join(parts), chart_id)


def coverage(title: str, rows: Sequence[tuple[str, int, int]], chart_id: str = "") -> str:
    """One meter per row: ``(label, numerator, denominator)``, with "n of d" beside it."""
    chart_id = chart_id or "chart-" + title.lower().replace(" ", "-")
    width, row = 420, 26
    parts = []
    for i, (label, n, d) in enumerate(rows):
        y = 24 + i * row
        share = n / d if d else 0.0
        color = "#16a34a" if d and n == d else "#d97706" if n else "#dc2626"
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="#374151">{escape(label)}</text>'
            f'<rect x="170" y="{y + 3}" width="160" height="15" rx="2" fill="#e5e7eb"/>'
            f'<rect x="170" y="{y + 3}" width="{int(160 * share)}" height="15" rx="2" '
            f'fill="{color}"/><text x="338" y="{y + 14}" font-size="12" fill="#111827">'
            f"{n} of {d}</text>"
        )
    return _svg(title, width, 30 + row * max(len(rows), 1), "".join(parts), chart_id)


def timeline(
    title: str, points: Sequence[Mapping[str, object]], chart_id: str = "", last: int = 30
) -> str:
    """Datasets per tag at each scan (``{"time", "tag", "datasets"}``): one line per tag over
    the last ``last`` scans."""
    chart_id = chart_id or "chart-" + title.lower().replace(" ", "-")
    times = sorted({str(p["time"]) for p in points})[-last:]
    if not times:
        return _svg(
            title,
            420,
            44,
            '<text x="0" y="36" font-size="12" fill="#6b7280">no scans</text>',
            chart_id,
        )
    tags = sorted({str(p["tag"]) for p in points if str(p["time"]) in times})
    series = {tag: [0] * len(times) for tag in tags}
    index = {t: i for i, t in enumerate(times)}
    for p in points:
        if str(p["time"]) in index:
            value = p["datasets"]
            series[str(p["tag"])][index[str(p["time"])]] = value if isinstance(value, int) else 0
    top = max((max(v) for v in series.values()), default=1) or 1
    width, height, left, plot_w, plot_h = 420, 200, 30, 260, 140
    step = plot_w / max(len(times) - 1, 1)
    parts = [
        f'<line x1="{left}" y1="{24 + plot_h}" x2="{left + plot_w}" y2="{24 + plot_h}" '
        'stroke="#9ca3af"/>',
        f'<text x="0" y="32" font-size="11" fill="#6b7280">{top}</text>',
        f'<text x="{left}" y="{40 + plot_h}" font-size="10" fill="#6b7280">'
        f"{escape(times[0][:10])}</text>",
    ]
    for i, (tag, values) in enumerate(series.items()):
        coords = " ".join(
            f"{left + j * step:.1f},{24 + plot_h - plot_h * v / top:.1f}"
            for j, v in enumerate(values)
        )
        color = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}">'
            f"<title>{escape(tag)}</title></polyline>"
        )
        for point in coords.split(" "):
            x, y = point.split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"/>')
        parts.append(
            f'<text x="{left + plot_w + 10}" y="{34 + i * 14}" font-size="11" fill="{color}">'
            f"{escape(tag)}</text>"
        )
    return _svg(title, width, height, "".join(parts), chart_id)


def lineage(title: str, edges: Sequence[Mapping[str, str]], chart_id: str = "") -> str:
    """Inputs on the left, outputs on the right, a line per (input, output) labelled by job."""
    chart_id = chart_id or "chart-" + title.lower().replace(" ", "-")
    edges = list(edges)[:24]
    if not edges:
        return _svg(
            title,
            420,
            44,
            '<text x="0" y="36" font-size="12" fill="#6b7280">no lineage</text>',
            chart_id,
        )
    inputs = list(dict.fromkeys(e["input"] for e in edges))
    outputs = list(dict.fromkeys(e["output"] for e in edges))
    row, width = 24, 620
    ys_in = {n: 34 + i * row for i, n in enumerate(inputs)}
    ys_out = {n: 34 + i * row for i, n in enumerate(outputs)}
    parts = []
    for e in edges:
        y1, y2 = ys_in[e["input"]], ys_out[e["output"]]
        parts.append(
            f'<line x1="200" y1="{y1}" x2="420" y2="{y2}" stroke="#6b7280" stroke-width="1.5">'
            f"<title>{escape(e['job'])}</title></line>"
        )
    for n, y in ys_in.items():
        parts.append(
            f'<circle cx="200" cy="{y}" r="4" fill="#2563eb"/><text x="192" y="{y + 4}" '
            f'font-size="11" text-anchor="end" fill="#111827">{escape(_tail(n))}</text>'
        )
    for n, y in ys_out.items():
        parts.append(
            f'<circle cx="420" cy="{y}" r="4" fill="#16a34a"/><text x="428" y="{y + 4}" '
            f'font-size="11" fill="#111827">{escape(_tail(n))}</text>'
        )
    height = 44 + row * max(len(inputs), len(outputs))
    return _svg(title, width, height, "".join(parts), chart_id)


def _tail(name: str, width: int = 30) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]
