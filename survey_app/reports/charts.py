"""Charts for report pages: a Chart table as JSON for static/js/charts.js (Chart.js served locally)."""

from __future__ import annotations

import json

from survey_app.forms_engine.results import Chart


def chart_json(chart: Chart | None) -> str:
    """JSON for one chart, read by charts.js from a data attribute (no inline script: CSP)."""
    if chart is None:
        return ""
    return json.dumps(
        {
            "labels": chart.categories,
            "datasets": [{"label": name, "data": values} for name, values in chart.series],
            "horizontal": chart.horizontal,
            "title": chart.title,
        },
        ensure_ascii=False,
    )
