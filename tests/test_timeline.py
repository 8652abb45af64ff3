"""`staffing timeline` on the bundled province: secondments end, then part-timers leave."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from solver.cli import main


def test_the_timeline_shows_secondments_ending_and_part_timers_leaving(tmp_path):
    out = tmp_path / "tl"
    r = CliRunner().invoke(main, ["timeline", "--format", "csv", "-j", "2", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["date"] for x in rows] == ["2025-10-20", "2026-04-21", "2026-06-01"]
    start, sec_end, pt_end = rows
    assert "97 secondments end" in sec_end["events"]
    assert "1262 part-timers leave" in pt_end["events"]
    assert int(start["secondees_serving"]) == 52 and int(sec_end["secondees_serving"]) == 0
    for key in ("held_specialty_shortage", "replanned_specialty_shortage"):
        assert float(sec_end[key]) > float(start[key])  # the secondees' help is gone
    # re-planning never does worse than holding the plan
    for x in rows:
        assert float(x["replanned_specialty_shortage"]) <= float(x["held_specialty_shortage"])
    assert int(pt_end["officials_in_post"]) < int(sec_end["officials_in_post"])
    people = list(csv.DictReader(io.StringIO((out / "people.csv").read_text("utf-8-sig"))))
    for x in rows:
        assert sum(p["date"] == x["date"] for p in people) == int(x["people_who_change"])
    seconded = [p for p in people if p["date"] == "2026-04-21" and p["kind"] == "secondee"]
    assert len(seconded) == 52 and all(p["after"] == "not_selected" for p in seconded)
    assert (out / "timeline.svg").read_text("utf-8").startswith("<svg")


def test_the_timelines_events_in_vietnamese():
    from solver import i18n
    from solver import timeline as tl
    from solver.io import load_scenario
    from solver.paths import bundled_scenario

    s = load_scenario(bundled_scenario())
    with i18n.use("vi"):
        events = [e for _d, what in tl.dates(s) for e in what]
    assert events == [
        "ngày của phương án",
        "97 người hết thời hạn biệt phái",
        "1262 người hoạt động không chuyên trách nghỉ",
    ]
    with i18n.use("en"):
        assert tl._event("secondments", 1) == "1 secondment ends"
