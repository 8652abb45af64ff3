"""plan.xlsx: the plan as a workbook a planner opens in Excel.

Sheets: summary (status, each level before → after with bound and gap), plan (everyone, names
beside codes), communes (each unit and bloc before and after), specialties (need, placed and
gap in the province), moves, secondees, quota terms (every term of every unit's quota) and
sources (each term's legal source). Headers are frozen, filters on, widths readable, codes kept
as text (no lost leading zeros). The bytes depend only on the inputs: the file's timestamps are
fixed (`stable_zip`)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from models import PLAN_COLUMNS, PlanStatus
from solver import i18n
from solver.i18n import _
from solver.reports import ReportData

FIXED_TIME = (2025, 7, 1, 0, 0, 0)  # the reform's date: every entry and property carries it
FIXED_STAMP = "2025-07-01T00:00:00Z"
TEXT_COLUMNS = frozenset({"id", "commune", "from", "to", "code", "base", "decision"})


def stable_zip(data: bytes) -> bytes:
    """The same workbook with fixed entry times and document dates, entries in their order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + FIXED_STAMP.encode() + rb"\g<3>",
                    body,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def save(wb: Any) -> bytes:
    """A workbook's bytes, independent of when it was written."""
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue())


def add_sheet(
    wb: Any,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    text_columns: set[int] | None = None,
) -> Any:
    """A sheet of a write-only workbook (streamed: a province of 16,000 people takes a
    second): bold frozen header, filters, widths from the content, text cells for codes."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    text_columns = text_columns or set()
    for j, name in enumerate(columns):
        longest = max([len(str(name))] + [len(str(r[j])) for r in rows[:500] if r[j] is not None])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(60, max(8, longest + 2))
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    bold = Font(bold=True)
    head = []
    for name in columns:
        c = WriteOnlyCell(ws, value=name)
        c.font = bold
        head.append(c)
    ws.append(head)
    for r in rows:
        out: list[Any] = []
        for j, v in enumerate(r):
            if j in text_columns:
                c = WriteOnlyCell(ws, value="" if v is None else str(v))
                c.number_format = "@"
                out.append(c)
            else:
                out.append("" if v is None else v)
        ws.append(out)
    return ws


def _text_idx(columns: Sequence[str]) -> set[int]:
    return {j for j, c in enumerate(columns) if c in TEXT_COLUMNS}


def plan_workbook(d: ReportData) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    col = i18n.column_label
    m = d.metrics
    names = i18n.specialty_names(d.scenario)
    spec = i18n.specialty_titles(d.scenario)

    # summary
    before = m.get("before", {}).get("objective", {})
    rows: list[list[Any]] = [
        [_("province"), m["province"], "", "", ""],
        [_("scenario"), m["scenario"], "", "", ""],
        [_("rule set"), m["rule_set"], "", "", ""],
        [_("engine"), f"{m['engine']} ({i18n.label('method', m['method'])})", "", "", ""],
        [_("status"), i18n.label("solver status", m["status"]), "", "", ""],
        ["", "", "", "", ""],
        [_("level"), _("before (as merged)"), _("after"), _("bound"), _("gap")],
    ]
    for lv in m["objective_order"]:
        rows.append(
            [
                i18n.label("level", lv),
                before.get(lv),
                m["objective"].get(lv),
                m["bound"].get(lv) if m["bound"].get(lv) is not None else _("no bound"),
                m["gap"].get(lv),
            ]
        )
    st = {s: sum(1 for r in d.plan if r.status == s) for s in PlanStatus}
    rows.append(["", "", "", "", ""])
    rows += [[i18n.label("status", s.value), n, "", "", ""] for s, n in st.items()]
    add_sheet(wb, _("Summary"), [_("item"), _("value"), "", "", ""], rows)

    # plan, with names beside codes
    pcols = [*PLAN_COLUMNS]
    heads: list[str] = []
    keys: list[str] = []
    for c in pcols:
        heads.append(col(c))
        keys.append(c)
        if c in ("from", "to"):
            heads.append(_("{column} (name)").format(column=col(c)))
            keys.append(c + "_name")
        if c == "specialty":
            heads.append(_("{column} (name)").format(column=col(c)))
            keys.append("specialty_name")
    prow = []
    for r in d.plan:
        rec = r.record()
        rec["from_name"] = d.name(rec["from"]) if rec["from"] else ""
        rec["to_name"] = d.name(rec["to"]) if rec["to"] else ""
        rec["specialty_name"] = spec.get(rec["specialty"], rec["specialty"])
        for k, ctx in (
            ("kind", "kind"),
            ("status", "status"),
            ("bloc", "bloc"),
            ("category", "category"),
        ):
            rec[k] = i18n.label(ctx, rec[k])
        rec["fills"] = names.get(rec["fills"], rec["fills"])
        prow.append([rec[k] for k in keys])
    add_sheet(
        wb,
        _("Plan"),
        heads,
        prow,
        {j for j, k in enumerate(keys) if k in ("id", "from", "to", "decision")},
    )

    # communes, before and after
    ccols = list(d.communes[0]) if d.communes else []
    crows = [[u.get(c) for c in ccols] for u in d.communes]
    bloc_j = ccols.index("bloc") if "bloc" in ccols else None
    if bloc_j is not None:
        for cr in crows:
            cr[bloc_j] = i18n.label("bloc", str(cr[bloc_j]))
    add_sheet(wb, _("Communes"), [col(c, names) for c in ccols], crows, _text_idx(ccols))

    # specialties in the province
    need: dict[str, int] = {}
    placed: dict[str, int] = {}
    for u in d.communes:
        for sp in d.specialties:
            need[sp] = need.get(sp, 0) + int(float(u.get(sp + "_need") or 0))
            placed[sp] = placed.get(sp, 0) + int(float(u.get(sp + "_placed") or 0))
    gap, gap_before = d.specialty_gaps(), d.specialty_gaps(before=True)
    srows = [
        [sp, spec.get(sp, sp), need[sp], placed[sp], gap_before.get(sp, 0), gap.get(sp, 0)]
        for sp in d.specialties
    ]
    add_sheet(
        wb,
        _("Specialties"),
        [_("code"), _("specialty"), _("need"), _("placed"), _("gap before"), _("gap after")],
        srows,
    )

    # moves and secondees
    mcols = ["id", "name", "specialty", "from", "from_name", "to", "to_name", "km", "reason"]
    mheads = [
        col("id"),
        col("name"),
        col("specialty"),
        col("from"),
        _("{column} (name)").format(column=col("from")),
        col("to"),
        _("{column} (name)").format(column=col("to")),
        col("km"),
        col("reason"),
    ]

    def people(status: PlanStatus) -> list[list[Any]]:
        out = []
        for r in d.plan:
            if r.status != status:
                continue
            rec = r.record()
            rec["from_name"], rec["to_name"] = d.name(rec["from"]), d.name(rec["to"])
            rec["specialty"] = spec.get(rec["specialty"], rec["specialty"])
            out.append([rec[k] for k in mcols])
        return out

    add_sheet(wb, _("Moves"), mheads, people(PlanStatus.moves), {0, 3, 5})
    add_sheet(wb, _("Secondees"), mheads, people(PlanStatus.seconded), {0, 3, 5})

    # quota terms and their sources
    qcols = d.quotas.columns
    qrows = [[q.get(c) for c in qcols] for q in d.quotas.records()]
    for qr in qrows:
        for j, v in enumerate(qr):
            if isinstance(v, list | tuple):
                qr[j] = "; ".join(str(x) for x in v)
    add_sheet(wb, _("Quota terms"), qcols, qrows, _text_idx(qcols))
    trows = [[t.bloc, t.id, t.label, t.source, t.source_note, t.note] for t in d.quotas.terms]
    add_sheet(
        wb,
        _("Sources"),
        [col("bloc"), _("term"), _("label"), _("legal source"), _("source note"), _("note")],
        trows,
    )
    return save(wb)
