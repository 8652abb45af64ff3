"""The CLI: exit codes, no tracebacks, help text on every command."""

from __future__ import annotations

import click
import pytest
from builders import COMMUNES
from click.testing import CliRunner

from solver.cli import EXIT_USAGE, main
from solver.paths import bundled_scenario, data_root


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_bundled_prints_summary():
    r = run("validate", str(bundled_scenario()))
    assert r.exit_code == 0, r.output
    assert "units: 45 (42 commune, 3 ward); old units: 129 in 10 old districts" in r.output
    assert "by bloc:" in r.output and "by category:" in r.output and "by specialty:" in r.output
    assert "secondee candidates: 97" in r.output


def test_validate_defaults_to_bundled():
    assert run("validate").exit_code == 0


def test_validate_bad_input_exits_1_without_traceback(make_scenario):
    folder = make_scenario(communes=[{**COMMUNES[0], "lat": "99"}, COMMUNES[1]])
    r = run("validate", str(folder))
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "1 problem found" in r.output
    assert "communes.csv, row 2, column lat: found '99'" in r.output


def test_generate_unknown_province_is_a_usage_error(tmp_path):
    r = run("generate", "-p", "Dien Bienn", "-o", str(tmp_path / "x"))
    assert r.exit_code == EXIT_USAGE
    assert "did you mean 'dien-bien'" in r.output


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (("solve", "--lang", "vi", "--bogus"), {}, "Lỗi: Không có tùy chọn '--bogus'."),
        (("solve", "--time-limit", "abc"), {"STAFFING_LANG": "vi"}, "Giá trị không hợp lệ cho"),
        (("solve", "--engine", "xyz", "--lang=vi"), {}, "không thuộc các giá trị 'flow'"),
        (("solve", "--bogus"), {}, "Error: No such option '--bogus'."),
        (("solve", "--lang", "fr"), {}, "Error: Invalid value for '--lang'"),
    ],
)
def test_usage_errors_in_the_commands_language(args, env, said):
    r = CliRunner(env=env).invoke(main, list(args))
    assert r.exit_code == EXIT_USAGE
    assert said in r.stderr
    usage = "Cách dùng:" if ("vi" in args or "--lang=vi" in args or env) else "Usage:"
    assert r.stderr.startswith(usage), r.stderr


def test_the_language_of_a_command_line():
    from solver.clicktext import lang_of

    assert lang_of(["solve", "--lang", "vi"]) == "vi"
    assert lang_of(["solve", "--lang=en", "x"]) == "en"
    assert lang_of(["solve", "--lang", "fr"]) is None
    assert lang_of(["solve", "--", "--lang", "vi"]) is None
    assert lang_of(["solve", "--lang"]) is None


def test_generate_by_name(tmp_path):
    r = run("generate", "-p", "Điện Biên", "-o", str(tmp_path / "db"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "db" / "officials.csv").exists()


def _commands(group: click.Group, prefix: str = ""):
    for name, cmd in group.commands.items():
        yield prefix + name, cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + name + " ")


@pytest.mark.parametrize(("name", "cmd"), list(_commands(main)))
def test_every_command_has_help(name, cmd):
    assert cmd.help and len(cmd.help.strip()) > 20, name
    for p in cmd.params:
        if isinstance(p, click.Option):
            assert p.help, f"{name} {p.name}"


def test_validate_reports_blocs_without_quota_rules(tmp_path):
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(bundled_scenario(), folder)
    # the national orientation without its military command rule, all blocs asked for
    rules = (data_root() / "rules" / "cv09-bcd-2025.yaml").read_text("utf-8")
    (folder / "no-military.yaml").write_text(
        rules[: rules.index("\n  military:")].replace("name: cv09-bcd-2025", "name: no-military"),
        "utf-8",
    )
    y = folder / "scenario.yaml"
    y.write_text(
        y.read_text("utf-8").replace("rule_set: dien-bien-draft-2025", "rule_set: no-military.yaml")
        + "blocs: [government, party, front, military]\n",
        "utf-8",
    )
    r = run("validate", str(folder))
    assert r.exit_code == 1
    assert (
        "scenario.yaml, key blocs: found 'military', expected blocs that rule set "
        "no-military gives quotas for (government, party, front): add a quota rule for it to "
        "the rule set, or leave it out of blocs"
    ) in r.output
    r2 = run("solve", str(folder), "-o", str(tmp_path / "out"))
    assert r2.exit_code == 1
    # solve goes through the same seam (problem.prepare): the same located message
    assert "scenario.yaml, key blocs: found 'military'" in r2.output


def test_validate_reports_missing_party_members_when_party_is_planned(tmp_path):
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(bundled_scenario(), folder)
    y = folder / "scenario.yaml"
    y.write_text(
        y.read_text("utf-8").replace("blocs: [government]", "blocs: [government, party]"), "utf-8"
    )
    c = folder / "communes.csv"
    lines = c.read_text("utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ","
    c.write_text("\n".join(lines) + "\n", "utf-8")
    r = run("validate", str(folder))
    assert r.exit_code == 1
    assert (
        "communes.csv, row 4, column party_members: expected a number of Party members" in r.output
    )


def test_check_rejects_a_malformed_plan_cleanly(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (d / "plan.csv").write_text("id,kind,status\nx,official,stays\n", "utf-8")
    r = run("check", str(bundled_scenario()), str(d))
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert (
        "plan.csv, row 1, column name: expected the columns name, bloc, category, specialty, "
        "from, to, km, fills, reason" in r.output
    )
    r2 = run("check", str(bundled_scenario()), str(tmp_path / "nowhere"))
    assert r2.exit_code == 1
    assert "plan.csv: expected this file in" in r2.output
