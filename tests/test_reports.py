"""What planners hand on: Vietnamese tables, the workbook, the report in a real browser, the
printable decisions as PDF, the blank template, Vietnamese input values."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from solver import i18n, run
from solver.cli import _rules, main
from solver.io import load_scenario
from solver.io.plan_reader import read_communes, read_plan
from solver.paths import bundled_scenario

REQUIRED = bool(os.environ.get("STAFFING_REQUIRE_BROWSER"))  # set by .ci/run


def need(program: str) -> str:
    """A program the test drives; CI installs it (then its absence fails the test)."""
    path = shutil.which(program)
    if path is None:
        if REQUIRED:
            pytest.fail(f"{program} is not installed (.ci/run installs it)")
        pytest.skip(f"{program} is not installed")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="session")
def vi_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled scenario solved in Vietnamese, with the workbook and the report."""
    out = tmp_path_factory.mktemp("vi") / "plan"
    code, stdout, stderr = invoke("solve", "--lang", "vi", "--xlsx", "--report", "-o", str(out))
    assert code == 0, stdout + stderr
    assert "đã ghi phương án" in stdout
    return out


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def test_vietnamese_csvs(vi_plan, bundled_plan):
    plan = rows(vi_plan / "plan.csv")
    assert list(plan[0])[:4] == ["mã", "loại", "tên", "khối"]
    assert {r["trạng thái"] for r in plan} >= {"ở lại", "điều động", "biệt phái"}
    moved = next(r for r in plan if r["trạng thái"] == "điều động")
    assert moved["lý do"].startswith("điều động ")
    communes = rows(vi_plan / "communes.csv")
    assert {"mã đơn vị", "định mức", "thiếu", "Kế toán: thiếu"} <= set(communes[0])
    # the same plan as the English one: read back, every outcome is equal
    vi, _ = read_plan(vi_plan)
    en, _ = read_plan(bundled_plan)
    strip = [{k: v for k, v in r.items() if k != "reason"} for r in vi.records()]
    assert strip == [{k: v for k, v in r.items() if k != "reason"} for r in en.records()]
    s = load_scenario(bundled_scenario())
    assert read_communes(vi_plan, s) == read_communes(bundled_plan, s)


def test_a_vietnamese_plan_checks(vi_plan):
    code, stdout, stderr = invoke("check", "--lang", "vi", str(bundled_scenario()), str(vi_plan))
    assert code == 0, stdout + stderr
    assert stdout.startswith("phương án hợp lệ")


def test_workbook_sheets_and_codes(vi_plan):
    wb = openpyxl.load_workbook(vi_plan / "plan.xlsx")
    assert wb.sheetnames == [
        "Tổng hợp",
        "Phương án",
        "Đơn vị",
        "Chuyên môn",
        "Điều động",
        "Biệt phái",
        "Thành phần định mức",
        "Căn cứ",
    ]
    ws = wb["Phương án"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["mã", "loại", "tên"] and "nơi đang công tác (tên)" in head
    j = head.index("nơi đang công tác")
    codes = [ws.cell(i, j + 1) for i in range(2, 60)]
    assert all(isinstance(c.value, str) and len(c.value) == 5 for c in codes)
    assert any(c.value.startswith("0") for c in codes) and codes[0].number_format == "@"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    plan = rows(vi_plan / "plan.csv")
    assert ws.max_row == len(plan) + 1
    summary = {r[0].value: r[2].value for r in wb["Tổng hợp"].iter_rows(min_row=8)}
    metrics = json.loads((vi_plan / "metrics.json").read_text("utf-8"))
    assert summary["thiếu chuyên môn"] == metrics["objective"]["specialty_shortage"]
    sources = wb["Căn cứ"]
    assert sources.max_row > 3 and all(r[3].value for r in sources.iter_rows(min_row=2))


def test_two_runs_give_identical_bytes(vi_plan, tmp_path):
    out = tmp_path / "again"
    code, stdout, stderr = invoke("solve", "--lang", "vi", "--xlsx", "--report", "-o", str(out))
    assert code == 0, stdout + stderr
    for name in ("plan.csv", "communes.csv", "plan.xlsx", "report.html", "decisions/03208.html"):
        assert (out / name).read_bytes() == (vi_plan / name).read_bytes(), name


def test_vietnamese_values_solve_like_their_codes(tmp_path):
    """A roster written as a Vietnamese planner keeps it (cán bộ, có/không, dd/mm/yyyy,
    specialty names) solves to the same plan as its coded twin."""
    src = bundled_scenario()
    twin = Path(shutil.copytree(src, tmp_path / "vi"))
    names = {r["code"]: r["name_vi"] for r in rows(src.parent / "reference" / "specialties.csv")}
    with i18n.use("vi"):
        for table in ("officials", "secondees"):
            data = rows(src / f"{table}.csv")
            for r in data:
                for col, ctx in (
                    ("category", "category"),
                    ("bloc", "bloc"),
                    ("intention", "intention"),
                    ("tier", "tier"),
                ):
                    if r.get(col):
                        r[col] = i18n.label(ctx, r[col]).upper()
                for col in ("can_relocate", "pinned", "leader", "available"):
                    if r.get(col) in ("true", "false"):
                        r[col] = i18n.label("yes/no", r[col]).capitalize()
                for col in ("available_until", "start", "end"):
                    if r.get(col):
                        y, m, d = r[col].split("-")
                        r[col] = f"{d}/{m}/{y}"
                r["specialty"] = names[r["specialty"]]
            with open(twin / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
                w.writeheader()
                w.writerows(data)
    assert "CÁN BỘ" in (twin / "officials.csv").read_text("utf-8")
    a, b = load_scenario(twin), load_scenario(src)
    assert a.officials == b.officials and a.secondees == b.secondees
    pa, pb = run.solve(a, _rules(None, a)).plan, run.solve(b, _rules(None, b)).plan
    assert pa is not None and pb is not None and pa.records() == pb.records()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # the flow engine hands over to the general one (the relaxation breaks a quota)
        (("--set", "max_moves=100"), "được giải bằng bộ giải general"),
        (("--engine", "greedy"), "phương án làm tay để so sánh"),
    ],
)
def test_engine_notes_and_methods_in_vietnamese(tmp_path, args, said):
    code, stdout, stderr = invoke("solve", "--lang", "vi", *args, "-o", str(tmp_path / "p"))
    assert code == 0, stdout + stderr
    head, note = stdout.splitlines()[0], next(x for x in stdout.splitlines() if "ghi chú" in x)
    assert said in note
    for english in ("engine", "relaxation", "solved by", "baseline", "staged", "OPTIMAL"):
        assert english not in note and english not in head.split("bộ giải")[1]
    m = json.loads((tmp_path / "p" / "metrics.json").read_text("utf-8"))
    assert m["lang"] == "vi" and said in m["message"]
    assert m["status"] in ("OPTIMAL", "FEASIBLE")  # metrics.json keeps the codes


def test_errors_in_vietnamese(make_scenario):
    from tests.builders import OFFICIAL

    folder = make_scenario(officials=[{**OFFICIAL, "category": "cán bộ x"}])
    code, stdout, stderr = invoke("validate", "--lang", "vi", str(folder))
    assert code == 1
    assert (
        "officials.csv, dòng 2, cột category: gặp 'cán bộ x', cần một trong các giá trị" in stderr
    )
    assert "phát hiện 1 lỗi" in stderr


def test_report_renders_offline_in_chromium(vi_plan, tmp_path):
    """report.html in headless Chromium from a file:// URL, every request but file:// refused:
    the charts draw, and the figures read from the page are metrics.json's and
    communes.csv's."""
    exe = need("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    metrics = json.loads((vi_plan / "metrics.json").read_text("utf-8"))
    shortage = {}
    for r in read_communes(vi_plan):
        shortage[r["commune"]] = shortage.get(r["commune"], 0) + r["shortage"]
    asked: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, offline=True)

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    asked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((vi_plan / "report.html").as_uri())
            page.wait_for_selector("#map .main-svg", timeout=30_000)
            page.wait_for_selector("#specialties .main-svg", timeout=30_000)
            points = page.locator("#map .scatterlayer .trace:last-child .point").count()
            for lv in metrics["objective_order"]:
                cell = page.locator(f'tr[data-level="{lv}"] td[data-when="after"]')
                assert float(cell.inner_text()) == metrics["objective"][lv]
            cell = page.locator('tr[data-commune="03208"] td[data-col="shortage"]')
            assert int(cell.inner_text()) == shortage["03208"]
            assert "Xã Xa Dung" in page.locator("#units").inner_text()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        finally:
            browser.close()
    assert errors == [] and asked == []
    assert points == 2 * len(load_scenario(bundled_scenario()).communes)  # before, after
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_decision_page_as_html_and_pdf(vi_plan, tmp_path):
    need("chromium")
    pdftotext = need("pdftotext")
    plan = Path(shutil.copytree(vi_plan, tmp_path / "plan"))
    code, stdout, stderr = invoke(
        "report", str(plan), "--lang", "vi", "--no-xlsx", "--commune", "03208"
    )
    assert code == 0, stdout + stderr
    html = (plan / "decisions" / "03208.html").read_text("utf-8")
    text = subprocess.run(
        [pdftotext, str(plan / "decisions" / "03208.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = unicodedata.normalize("NFC", text)
    assert "Xã Xa Dung" in text and "Xã Xa Dung" in html
    assert "Ở lại" in text and "Được biệt phái đến" in text
    placed = [
        r
        for r in rows(plan / "plan.csv")
        if r["nơi bố trí"] == "03208" and r["trạng thái"] in ("ở lại", "điều động", "biệt phái")
    ]
    assert placed
    flat = " ".join(text.split())
    for r in placed:
        assert r["tên"] in flat, r["tên"]
        assert r["tên"] in html
    # the plan folder kept its files, and the report did not change them
    assert (plan / "plan.csv").read_bytes() == (vi_plan / "plan.csv").read_bytes()


def test_pdf_without_chromium_writes_nothing(vi_plan, tmp_path, monkeypatch):
    plan = Path(shutil.copytree(vi_plan, tmp_path / "plan"))
    before = sorted(p.name for p in plan.rglob("*"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("STAFFING_CHROMIUM", raising=False)
    code, _stdout, stderr = invoke("report", str(plan), "--pdf")
    assert code == 6 and "Chromium" in stderr
    assert sorted(p.name for p in plan.rglob("*")) == before


def test_template_round_trips(tmp_path):
    """The blank template, filled with the bundled scenario's rows, solves to its plan."""
    out = tmp_path / "mau.xlsx"
    code, stdout, stderr = invoke("template", "-p", "11", "-o", str(out))
    assert code == 0, stdout + stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["instructions", "scenario"]
    assert "Điền mỗi bảng" in str(wb["instructions"]["A4"].value)
    assert "Fill each table" in str(wb["instructions"]["A5"].value)
    officials = wb["officials"]
    lists = {str(dv.sqref): dv.formula1 for dv in officials.data_validations.dataValidation}
    assert any("_lists" in f for f in lists.values()) and len(lists) >= 4
    units = [c.value for c in wb["_lists"][1] if c.value == "unit"]
    assert units == ["unit"]
    src = bundled_scenario()
    cfg = yaml.safe_load((src / "scenario.yaml").read_text("utf-8"))
    for row in wb["scenario"].iter_rows(min_row=2):
        v = cfg.get(row[0].value)
        if isinstance(v, dict):
            v = yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10**6).strip()
        elif isinstance(v, list):
            v = ";".join(map(str, v))
        row[1].value = "" if v is None else str(v)
    for f in sorted(src.glob("*.csv")):
        ws = wb[f.stem]
        head = [c.value for c in ws[1]]
        for i, r in enumerate(rows(f), start=2):
            for j, h in enumerate(head, start=1):
                if r.get(h):
                    ws.cell(i, j, r[h])
    wb.save(out)
    a, b = load_scenario(out), load_scenario(src)
    pa, pb = run.solve(a, _rules(None, a)).plan, run.solve(b, _rules(None, b)).plan
    assert pa is not None and pb is not None and pa.records() == pb.records()


def test_template_refuses_another_kind_of_file(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine", "utf-8")
    code, _stdout, stderr = invoke("template", "-o", str(target))
    assert code == 4 and target.read_text("utf-8") == "mine"


def test_comparison_report(bundled_plan, tmp_path):
    out = tmp_path / "cmp"
    what_if = bundled_scenario().parent / "what-if" / "dien-bien-2025"
    first = sorted(what_if.glob("*.yaml"))[0]
    code, stdout, stderr = invoke("compare", str(bundled_plan), str(first), "-o", str(out))
    assert code == 0, stdout + stderr
    page = (out / "report.html").read_text("utf-8")
    assert 'id="levels-chart"' in page and "cdn" not in page.split("<body>")[1].lower()


def test_several_provinces_get_their_workbooks_and_reports(two_provinces, tmp_path):
    out = tmp_path / "all"
    code, stdout, stderr = invoke(
        "solve",
        str(two_provinces),
        "-o",
        str(out),
        "-j",
        "2",
        "--lang",
        "vi",
        "--xlsx",
        "--report",
    )
    assert code == 0, stdout + stderr
    for d in sorted(p for p in out.iterdir() if p.is_dir()):
        assert (d / "plan.xlsx").is_file() and (d / "report.html").is_file()
        assert (d / "decisions" / "index.html").is_file()
        assert rows(d / "plan.csv")[0].keys() >= {"mã", "trạng thái"}
    assert "tỉnh" in rows(out / "plan.csv")[0]
