"""report.html: one self-contained page per plan (and per comparison) to look at.

The charts are Plotly figures with plotly.js embedded in the page, so it opens with no network:
shortage per unit before and after, drawn on the units' real coordinates, moves and
secondments as lines from origin to destination, shortage by specialty before and after; then
the level summary and the per-unit table. Every figure the charts draw is also in a table with
data attributes (data-level, data-commune), which the browser test reads back."""

from __future__ import annotations

import html
import json
import math
from typing import Any

from models import PlanStatus
from solver import i18n
from solver.i18n import _
from solver.reports import ReportData

STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.meta{color:#555;margin-bottom:12px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td.t,th.t{text-align:left}
th{background:#f0f0f0}
.grid{display:flex;flex-wrap:wrap;gap:12px}
.chart{width:100%;max-width:1200px}
@media print{.chart{page-break-inside:avoid}}
"""


def esc(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def figure_div(fig: Any, div_id: str) -> str:
    """A figure as a div and its script; plotly.js is on the page once (head)."""
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


def page(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n"
        f'<script type="text/javascript">{plotly_js()}</script>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def level_table(d: ReportData) -> str:
    m = d.metrics
    before = m.get("before", {}).get("objective", {})
    heads = [_("level"), _("before (as merged)"), _("after"), _("bound"), _("gap")]
    rows = [
        '<tr><th class="t">'
        + esc(heads[0])
        + "</th>"
        + "".join(f"<th>{esc(h)}</th>" for h in heads[1:])
        + "</tr>"
    ]
    no_bound = _("no bound")
    for lv in m["objective_order"]:
        b = m["bound"].get(lv)
        g = m["gap"].get(lv)
        rows.append(
            f'<tr data-level="{esc(lv)}"><td class="t">{esc(i18n.label("level", lv))}</td>'
            f'<td data-when="before">{esc(_num(before.get(lv)))}</td>'
            f'<td data-when="after">{esc(_num(m["objective"].get(lv)))}</td>'
            f"<td>{esc(_num(b) if b is not None else no_bound)}</td>"
            f"<td>{esc(_num(g) if g is not None else '-')}</td></tr>"
        )
    return f'<table id="levels">{"".join(rows)}</table>'


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def unit_table(d: ReportData) -> str:
    head = (
        f'<tr><th class="t">{esc(i18n.column_label("commune"))}</th>'
        f'<th class="t">{esc(i18n.column_label("name"))}</th>'
        f"<th>{esc(i18n.column_label('quota'))}</th>"
        f"<th>{esc(i18n.column_label('before_shortage'))}</th>"
        f"<th>{esc(i18n.column_label('shortage'))}</th>"
        f"<th>{esc(i18n.column_label('secondees'))}</th>"
        f"<th>{esc(i18n.column_label('specialty_gap'))}</th></tr>"
    )
    rows = []
    for c in d.scenario.communes:
        rows.append(
            f'<tr data-commune="{esc(c.code)}"><td class="t">{esc(c.code)}</td>'
            f'<td class="t">{esc(c.name)}</td>'
            f'<td data-col="quota">{d.unit_total(c.code, "quota")}</td>'
            f'<td data-col="before_shortage">{d.unit_total(c.code, "before_shortage")}</td>'
            f'<td data-col="shortage">{d.unit_total(c.code, "shortage")}</td>'
            f'<td data-col="secondees">{d.unit_total(c.code, "secondees")}</td>'
            f'<td data-col="specialty_gap">{d.unit_total(c.code, "specialty_gap")}</td></tr>'
        )
    return f'<table id="units">{head}{"".join(rows)}</table>'


def map_figure(d: ReportData) -> Any:
    """Two maps side by side: shortage per unit before and after the plan (marker size and
    colour), with moves (after) and secondments as lines from origin to destination."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    cs = d.scenario.communes
    lon = [c.lon for c in cs]
    lat = [c.lat for c in cs]
    where = {c.code: (c.lon, c.lat) for c in cs}
    before = [d.unit_total(c.code, "before_shortage") for c in cs]
    after = [d.unit_total(c.code, "shortage") for c in cs]
    top = max([1, *before, *after])
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(_("Shortage before the plan (as merged)"), _("Shortage after the plan")),
        horizontal_spacing=0.04,
    )

    def lines(status: PlanStatus) -> tuple[list[float | None], list[float | None]]:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for r in d.plan:
            if r.status == status and r.from_ in where and r.to in where:
                (x0, y0), (x1, y1) = where[r.from_], where[r.to]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
        return xs, ys

    for status, colour, name in (
        (PlanStatus.moves, "rgba(31,119,180,0.35)", _("moves")),
        (PlanStatus.seconded, "rgba(44,160,44,0.6)", _("secondments")),
    ):
        xs, ys = lines(status)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": colour, "width": 1},
                name=name,
                hoverinfo="skip",
            ),
            row=1,
            col=2,
        )
    for j, values in ((1, before), (2, after)):
        fig.add_trace(
            go.Scatter(
                x=lon,
                y=lat,
                mode="markers",
                name=_("shortage"),
                showlegend=False,
                text=[f"{c.name} ({c.code}): {v}" for c, v in zip(cs, values, strict=True)],
                hoverinfo="text",
                marker={
                    "size": [8 + 22 * math.sqrt(v / top) for v in values],
                    "color": values,
                    "cmin": 0,
                    "cmax": top,
                    "colorscale": "Reds",
                    "line": {"color": "#555", "width": 0.5},
                    "showscale": j == 2,
                },
            ),
            row=1,
            col=j,
        )
    mid = sum(lat) / len(lat) if lat else 0.0
    for j in (1, 2):
        fig.update_xaxes(title_text=_("longitude"), row=1, col=j)
        fig.update_yaxes(
            title_text=_("latitude"),
            scaleanchor=f"x{'' if j == 1 else j}",
            scaleratio=1 / max(0.2, math.cos(math.radians(mid))),
            row=1,
            col=j,
        )
    fig.update_layout(
        height=560, margin={"l": 40, "r": 20, "t": 40, "b": 40}, legend={"orientation": "h"}
    )
    return fig


def specialty_figure(d: ReportData) -> Any:
    import plotly.graph_objects as go

    names = i18n.specialty_titles(d.scenario)
    before, after = d.specialty_gaps(before=True), d.specialty_gaps()
    specs = [sp for sp in d.specialties if before.get(sp) or after.get(sp)]
    x = [names.get(sp, sp) for sp in specs]
    fig = go.Figure(
        [
            go.Bar(name=_("before the plan"), x=x, y=[before.get(sp, 0) for sp in specs]),
            go.Bar(name=_("after the plan"), x=x, y=[after.get(sp, 0) for sp in specs]),
        ]
    )
    fig.update_layout(
        barmode="group",
        height=420,
        yaxis_title=_("positions short"),
        margin={"l": 40, "r": 20, "t": 20, "b": 140},
        legend={"orientation": "h"},
    )
    return fig


def plan_report(d: ReportData) -> str:
    """The whole report page."""
    m = d.metrics
    lang = i18n.current()
    st = {s: sum(1 for r in d.plan if r.status == s) for s in PlanStatus}
    title = _("Staffing plan — {province} — {scenario}").format(
        province=m["province"], scenario=m["scenario"]
    )
    counts = ", ".join(
        f'<span data-status="{s.value}">{esc(i18n.label("status", s.value))}: {n}</span>'
        for s, n in st.items()
        if n
    )
    body = [
        f"<h1>{esc(title)}</h1>",
        '<div class="meta">'
        + esc(_("rule set"))
        + f" {esc(m['rule_set'])} · "
        + esc(_("engine"))
        + f" "
        f"{esc(m['engine'])} ({esc(i18n.label('method', m['method']))}) · "
        f'<b id="status">{esc(i18n.label("solver status", m["status"]))}</b></div>',
        "<h2>" + esc(_("Objective levels")) + "</h2>",
        level_table(d),
        f'<p id="counts">{counts}</p>',
        "<h2>" + esc(_("Shortage per unit, before and after")) + "</h2>",
        f'<div class="chart">{figure_div(map_figure(d), "map")}</div>',
        "<h2>" + esc(_("Shortage by specialty")) + "</h2>",
        f'<div class="chart">{figure_div(specialty_figure(d), "specialties")}</div>',
        "<h2>" + esc(_("Units")) + "</h2>",
        unit_table(d),
        '<script type="application/json" id="figures">'
        + json.dumps({"status": m["status"], "objective": m["objective"]}, sort_keys=True)
        + "</script>",
    ]
    return page(title, "\n".join(body), lang)


def comparison_report(
    parts: list[tuple[str, list[dict[str, Any]], list[str]]], sides: list[Any]
) -> str:
    """report.html of `staffing compare -o`: each level per side as bars, then the tables."""
    import plotly.graph_objects as go

    lang = i18n.current()
    levels = (
        [lv for lv in sides[0].metrics.get("objective_order", []) if lv != "changes"]
        if sides
        else []
    )
    fig = go.Figure(
        [
            go.Bar(
                name=str(s.label),
                x=[i18n.label("level", lv) for lv in levels],
                y=[s.metrics.get("objective", {}).get(lv) for lv in levels],
            )
            for s in sides
        ]
    )
    fig.update_layout(barmode="group", height=420, margin={"l": 40, "r": 20, "t": 20, "b": 60})
    body = ["<h1>" + esc(_("Comparison")) + "</h1>", figure_div(fig, "levels-chart")]
    for title, rows, columns in parts:
        head = "".join(f'<th class="t">{esc(c)}</th>' for c in columns)
        trs = "".join(
            "<tr>" + "".join(f'<td class="t">{esc(r.get(c))}</td>' for c in columns) + "</tr>"
            for r in rows[:500]
        )
        body += [f"<h2>{esc(title)} ({len(rows)})</h2>", f"<table>{head}{trs}</table>"]
    return page(_("Comparison"), "\n".join(body), lang)
