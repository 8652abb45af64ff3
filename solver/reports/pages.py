"""Printable decisions: one A4 page per unit for its chairman, one for the province.

A unit's page lists who stays, who arrives and from where, who is seconded there and until
when, who leaves it, and the shortage and specialty gaps that remain. The province page gives
each unit's shortage before and after, the moves and secondments, and the levels. Plain HTML
with print CSS (no script): solver.reports.pdf prints them with Chromium."""

from __future__ import annotations

from typing import Any

from models import PersonKind, PlanStatus
from solver import i18n
from solver.i18n import _
from solver.reports import ReportData
from solver.reports.html import esc, level_table

PRINT_STYLE = """
@page{size:A4;margin:12mm}
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:8pt;line-height:1.2;color:#111;margin:0}
ol.cols{columns:2;column-gap:6mm;margin:0;padding-left:7mm}ol.cols li{break-inside:avoid}
h1{font-size:14pt;margin:0 0 2mm}h2{font-size:10pt;margin:2.5mm 0 1mm}
.meta{color:#444;margin-bottom:2mm}
table{border-collapse:collapse;width:100%}
td,th{border:0.3mm solid #999;padding:0.6mm 1.5mm;text-align:left;vertical-align:top}
th{background:#eee}td.n,th.n{text-align:right}td:first-child{white-space:nowrap}
.page{page-break-after:always}.page:last-child{page-break-after:auto}
.sign{margin-top:6mm;display:flex;justify-content:space-between}
"""


def _doc(title: str, pages: list[str], lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{PRINT_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(f'<section class="page">{p}</section>' for p in pages)
        + "\n</body>\n</html>\n"
    )


def _table(heads: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    if not rows:
        return "<p>" + esc(_("none")) + "</p>"
    h = "".join(
        f'<th class="{"n" if j in numeric else ""}">{esc(x)}</th>' for j, x in enumerate(heads)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if j in numeric else ""}">{esc(v)}</td>' for j, v in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{h}</tr>{body}</table>"


def _columns(items: list[str]) -> str:
    """A long list in two columns (the people who stay: one line each)."""
    if not items:
        return "<p>" + esc(_("none")) + "</p>"
    return '<ol class="cols">' + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ol>"


def commune_page(d: ReportData, code: str) -> str:
    """The body of one unit's page."""
    name = d.name(code)
    here = d.people_at(code)
    ends = {q.id: q.end for q in d.scenario.secondees}
    stays = [r for r in here if r.status == PlanStatus.stays]
    arrives = [r for r in here if r.status == PlanStatus.moves]
    seconded = [r for r in here if r.kind == PersonKind.secondee]
    leaving = d.leaving(code)
    col = i18n.column_label

    quota = d.unit_total(code, "quota")
    short, before = d.unit_total(code, "shortage"), d.unit_total(code, "before_shortage")
    gaps = {sp: n for sp, n in d.specialty_gaps(code).items() if n}
    parts = [
        f"<h1>{esc(name)} ({esc(code)})</h1>",
        '<div class="meta">'
        + esc(
            _("Staffing decision — {province} — as of {date}").format(
                province=d.metrics["province"], date=i18n.date(d.scenario.config.as_of)
            )
        )
        + "</div>",
        "<p>"
        + esc(
            _(
                "Quota {quota}; placed {placed} ({secondees} of them seconded); shortage "
                "{before} before the plan, {after} after."
            ).format(
                quota=quota,
                placed=len(here),
                secondees=len(seconded),
                before=before,
                after=short,
            )
        )
        + "</p>",
        "<h2>" + esc(_("Stay")) + f" ({len(stays)})</h2>",
        _columns([f"{r.id} {r.name} — {d.specialty(r.specialty)}" for r in stays]),
        "<h2>" + esc(_("Arrive")) + f" ({len(arrives)})</h2>",
        _columns(
            [
                f"{r.id} {r.name} — {d.specialty(r.specialty)} ← {d.name(r.from_)} ({r.km} km)"
                for r in arrives
            ]
        ),
        "<h2>" + esc(_("Seconded here")) + f" ({len(seconded)})</h2>",
        _table(
            [col("id"), col("name"), col("specialty"), _("department base"), _("until")],
            [
                [
                    r.id,
                    r.name,
                    d.specialty(r.specialty),
                    d.name(r.from_),
                    i18n.date(ends.get(r.id, "")),
                ]
                for r in seconded
            ],
        ),
        "<h2>" + esc(_("Leave this unit")) + f" ({len(leaving)})</h2>",
        _columns(
            [
                f"{r.id} {r.name} — {d.specialty(r.specialty)} → "
                + (d.name(r.to) if r.to else i18n.label("status", r.status.value))
                for r in leaving
            ]
        ),
        "<h2>" + esc(_("Remaining gaps")) + "</h2>",
        "<p>"
        + (
            esc("; ".join(f"{d.specialty(sp)}: {n}" for sp, n in sorted(gaps.items())))
            if gaps
            else esc(_("No specialty gap remains."))
        )
        + "</p>",
        '<div class="sign"><span>'
        + esc(_("Department of Home Affairs"))
        + "</span><span>"
        + esc(_("Chairman of the People's Committee"))
        + "</span></div>",
    ]
    return "\n".join(parts)


def province_page(d: ReportData) -> str:
    m = d.metrics
    rows = []
    for c in d.scenario.communes:
        moved_in = sum(1 for r in d.people_at(c.code) if r.status == PlanStatus.moves)
        sec = sum(1 for r in d.people_at(c.code) if r.kind == PersonKind.secondee)
        rows.append(
            [
                c.code,
                c.name,
                d.unit_total(c.code, "quota"),
                d.unit_total(c.code, "before_shortage"),
                d.unit_total(c.code, "shortage"),
                moved_in,
                sec,
            ]
        )
    col = i18n.column_label
    return "\n".join(
        [
            "<h1>" + esc(_("Staffing plan of {province}").format(province=m["province"])) + "</h1>",
            '<div class="meta">'
            + esc(
                _(
                    "For the Provincial People's Committee — {scenario} — as of {date} — {status}"
                ).format(
                    scenario=m["scenario"],
                    date=i18n.date(d.scenario.config.as_of),
                    status=i18n.label("solver status", m["status"]),
                )
            )
            + "</div>",
            level_table(d),
            _table(
                [
                    col("commune"),
                    col("name"),
                    col("quota"),
                    _("shortage before"),
                    _("shortage after"),
                    _("arrive"),
                    _("seconded"),
                ],
                rows,
                {2, 3, 4, 5, 6},
            ),
        ]
    )


def decision_pages(d: ReportData) -> dict[str, str]:
    """decisions/index.html (the province page, then every unit's), and
    decisions/<code>.html for each unit."""
    lang = i18n.current()
    title = _("Staffing decisions — {province}").format(province=d.metrics["province"])
    units = [c.code for c in d.scenario.communes]
    bodies = {c: commune_page(d, c) for c in units}
    out = {
        "decisions/index.html": _doc(title, [province_page(d)] + [bodies[c] for c in units], lang)
    }
    for c in units:
        out[f"decisions/{c}.html"] = _doc(f"{d.name(c)} — {title}", [bodies[c]], lang)
    return out
