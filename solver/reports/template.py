"""The blank input workbook (`staffing template`): a 'scenario' sheet of keys, one sheet per
table with its columns, drop-down lists for the coded columns, and an instructions sheet in
Vietnamese and English with an example row of every table. The reader ignores the
instructions and _lists sheets, so a filled template reads as any scenario workbook."""

from __future__ import annotations

import csv
import datetime as dt
import types
from enum import Enum
from typing import Any, Union, get_args, get_origin

from models import ScenarioConfig, columns_of
from solver.io.reader import TABLES
from solver.paths import default_specialties_file
from solver.reports.workbook import save

INSTRUCTIONS = "instructions"
LISTS = "_lists"

# An example row of every table (the bundled Điện Biên scenario's first rows, shortened).
EXAMPLES: dict[str, dict[str, Any]] = {
    "communes": {
        "code": "03208",
        "name": "Xã Xa Dung",
        "kind": "commune",
        "area_km2": 226.5,
        "population": 9800,
        "population_source": "estimated",
        "lat": 21.52,
        "lon": 103.33,
        "border": "false",
        "complex_security": "false",
        "political_center": "false",
        "mountainous": "true",
    },
    "old_units": {
        "code": "03208",
        "name": "Xã Xa Dung",
        "district": "Huyện Điện Biên Đông",
        "successor": "03208",
    },
    "officials": {
        "id": "11-00001",
        "name": "Lò Văn A",
        "category": "civil_servant",
        "bloc": "government",
        "specialty": "accounting",
        "tier": "commune",
        "origin": "03208",
        "intention": "stay",
        "can_relocate": "true",
    },
    "secondees": {
        "id": "11-S001",
        "name": "Cà Thị B",
        "department": "Department of Finance",
        "specialty": "accounting",
        "base": "03334",
        "available": "true",
        "start": "2025-10-20",
        "end": "2026-04-20",
    },
    "needs": {"commune": "03208", "bloc": "government", "specialty": "accounting", "need": 2},
    "distances": {"from": "03208", "to": "03334", "km": 95},
    "decisions": {"id": "11-00001", "decision": "assign", "commune": "03208"},
    "specialties": {
        "code": "accounting",
        "name": "Accounting",
        "name_vi": "Kế toán",
        "department": "Economic Department",
        "bloc": "government",
    },
}

TEXT = {
    "title": (
        "Mẫu nhập liệu bố trí nhân sự cấp xã",
        "Input workbook for commune staffing",
    ),
    "how": (
        "Điền mỗi bảng vào trang cùng tên (một người hoặc một đơn vị mỗi dòng, giữ nguyên dòng "
        "tiêu đề); trang 'scenario' ghi các tham số (cột key, value). Mã đơn vị là 5 chữ số và "
        "được lưu dạng văn bản. Ngày ghi YYYY-MM-DD hoặc dd/mm/yyyy; có/không hoặc true/false. "
        "Các cột có danh sách thả xuống nhận mã hoặc tên tiếng Việt. Sau đó chạy: staffing "
        "validate TỆP.xlsx rồi staffing solve TỆP.xlsx.",
        "Fill each table in the sheet of its name (one person or unit per row, keep the header "
        "row); the 'scenario' sheet holds the options (columns key, value). Unit codes have 5 "
        "digits and are kept as text. Dates as YYYY-MM-DD or dd/mm/yyyy; có/không or "
        "true/false. Columns with a drop-down list take the code or its Vietnamese name. Then "
        "run: staffing validate FILE.xlsx, then staffing solve FILE.xlsx.",
    ),
    "required": ("bắt buộc", "required"),
    "optional": ("không bắt buộc", "optional"),
    "example": ("ví dụ", "example"),
}


def _base(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, types.UnionType) and args:
        return args[0]
    return annotation


def _choices(model: Any) -> dict[str, list[str]]:
    """Columns with a fixed list of values: enums and yes/no."""
    out = {}
    for name, f in model.model_fields.items():
        t = _base(f.annotation)
        if isinstance(t, type) and issubclass(t, Enum):
            out[f.alias or name] = [str(m.value) for m in t]
        elif t is bool:
            out[f.alias or name] = ["true", "false"]
    return out


def _specialties() -> list[str]:
    with open(default_specialties_file(), encoding="utf-8") as fh:
        return [r["code"] for r in csv.DictReader(fh)]


def template_workbook(province: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ins = wb.active
    ins.title = INSTRUCTIONS
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    list_cols: dict[str, str] = {}  # list name -> absolute range on _lists

    def add_list(name: str, values: list[str]) -> str:
        if name not in list_cols:
            j = len(list_cols) + 1
            letter = get_column_letter(j)
            lists.cell(1, j, name)
            for i, v in enumerate(values, start=2):
                lists.cell(i, j, v).number_format = "@"
            list_cols[name] = f"{LISTS}!${letter}$2:${letter}${len(values) + 1}"
        return list_cols[name]

    specs = _specialties()
    units: list[tuple[str, str]] = []
    if province:
        from solver.generate import load_geography

        units = [(u.code, u.name) for u in load_geography(province).units]

    # the scenario sheet: one row per option, with its description
    sc = wb.create_sheet("scenario")
    sc.append(["key", "value", "description"])
    defaults = {
        "name": "my-province-2025",
        "province": dict(_provinces()).get(province or "", ""),
        "province_code": province or "",
        "rule_set": "cv09-bcd-2025",
        "as_of": dt.date(2025, 10, 20).isoformat(),
    }
    for name, f in ScenarioConfig.model_fields.items():
        sc.append([name, defaults.get(name, ""), f.description or ""])
    for c in sc["A"] + sc["B"]:
        c.number_format = "@"

    # the table sheets
    ins.append([TEXT["title"][0]])
    ins.append([TEXT["title"][1]])
    ins["A1"].font = Font(bold=True, size=14)
    ins["A2"].font = Font(bold=True, size=12, italic=True)
    ins.append([])
    ins.append([TEXT["how"][0]])
    ins.append([TEXT["how"][1]])
    for r in (4, 5):
        ins.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ins.row_dimensions[r].height = 75
    ins.column_dimensions["A"].width = 26
    for letter in "BCDEFGHIJKLMNOP":
        ins.column_dimensions[letter].width = 18
    for table, (model, required) in TABLES.items():
        cols, req = columns_of(model)
        ws = wb.create_sheet(table)
        ws.append(cols)
        for c in ws[1]:
            c.font = Font(bold=True)
        ws.freeze_panes = "A2"
        choices = _choices(model)
        for j, col in enumerate(cols, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(12, len(col) + 4)
            rng = f"{letter}2:{letter}2000"
            source = None
            if col in choices:
                source = add_list(f"{table}.{col}", choices[col])
            elif col in ("specialty", "specialties") and table != "specialties":
                source = add_list("specialty", specs)
            elif (
                units
                and col in ("commune", "successor", "current", "base", "from", "to")
                or (units and table == "communes" and col == "code")
            ):
                source = add_list("unit", [u[0] for u in units])
            if source:
                dv = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
                dv.showErrorMessage = col != "specialties"  # a list cell may hold several
                ws.add_data_validation(dv)
                dv.add(rng)
            if col in (
                "code",
                "successor",
                "origin",
                "current",
                "base",
                "commune",
                "from",
                "to",
                "id",
            ):
                for i in range(2, 2001):
                    ws.cell(i, j).number_format = "@"
        # the instructions: the table, its columns (required or not), an example row
        ins.append([])
        head = ins.max_row + 1
        state = TEXT["required"] if required else TEXT["optional"]
        ins.append([f"{table} ({state[0]} / {state[1]})"])
        ins.cell(head, 1).font = Font(bold=True)
        ins.append(["", *cols])
        ins.append(
            [
                "",
                *[
                    f"{TEXT['required'][0]} / {TEXT['required'][1]}" if c in req else ""
                    for c in cols
                ],
            ]
        )
        ex = EXAMPLES.get(table, {})
        ins.append([f"{TEXT['example'][0]} / {TEXT['example'][1]}", *[ex.get(c, "") for c in cols]])
        for c in ins[ins.max_row]:
            c.number_format = "@"
    if units:
        ins.append([])
        ins.append([f"{province}: {len(units)} đơn vị / units"])
        for code, name in units:
            ins.append(["", code, name])
            ins.cell(ins.max_row, 2).number_format = "@"
    wb.move_sheet(LISTS, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS))
    return save(wb)


def _provinces() -> list[tuple[str, str]]:
    from solver.generate import provinces

    return provinces()
