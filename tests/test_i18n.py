"""The message catalogues: every message of the code has a Vietnamese translation, the compiled
catalogue is current, labels of codes read back to their codes, and the languages switch."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from solver import i18n
from solver.i18n_tools import mo_bytes, po_path, problems, read

ROOT = Path(__file__).resolve().parents[1]
MARKERS = {"_", "ngettext", "pgettext", "N_", "C_", "msg"}


def test_every_message_has_a_vietnamese_translation():
    assert problems("vi") == []


def test_the_compiled_catalogue_is_current():
    """solver/locales/vi/.../commune_staffing.mo is what `python -m solver.i18n compile`
    makes of the .po (the tool reads the .mo)."""
    assert po_path("vi").with_suffix(".mo").read_bytes() == mo_bytes(read("vi"))


def test_no_message_is_marked_inside_an_f_string():
    """An f-string is one token to the extractor: a message marked inside one never reaches
    the catalogue, and would stay English."""
    hits = []
    for p in sorted([*(ROOT / "solver").rglob("*.py"), *(ROOT / "models").rglob("*.py")]):
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Name)
                        and inner.func.id in MARKERS
                    ):
                        hits.append(f"{p.relative_to(ROOT)}:{inner.lineno}")
    assert hits == []


def test_engines_write_no_untranslated_message():
    """What an engine says of its result (a Result's `message`, a search's reason for
    stopping) is marked for translation: never a plain string or an f-string."""
    hits = []
    for p in sorted((ROOT / "solver" / "engines").glob("*.py")):
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            said = [k.value for k in node.keywords if k.arg in ("message", "why")]
            if name in ("Search", "QuotaSearch", "stop"):
                said += node.args
            for value in said:
                plain = isinstance(value, ast.Constant) and isinstance(value.value, str)
                if (plain and value.value) or isinstance(value, ast.JoinedStr):
                    hits.append(f"{p.relative_to(ROOT)}:{value.lineno}")
    assert hits == []


def test_clicks_messages_are_the_installed_clicks():
    """solver/clicktext.py lists click's own messages for the catalogue: each must still be
    a message of the installed click (else it would silently stay English)."""
    import click
    from babel.messages.extract import extract_from_file

    from solver import clicktext

    found: set[object] = set()
    for name in clicktext.MODULES:
        path = Path(click.__file__).parent / f"{name}.py"
        for _line, message, _c, _ctx in extract_from_file(
            "python", str(path), keywords={"_": None, "ngettext": (1, 2)}
        ):
            found.add(message)
    assert [m for m in clicktext.MESSAGES if m not in found] == []
    assert [m for m in clicktext.PLURALS if m not in found] == []


@pytest.mark.parametrize("context", sorted(i18n.LABELS))
def test_labels_read_back_to_their_codes(context):
    for lang in i18n.LANGS:
        with i18n.use(lang):
            labels = [i18n.label(context, c) for c in i18n.LABELS[context]]
            assert len(set(map(i18n.fold, labels))) == len(labels), (lang, labels)
            for code, text in zip(i18n.LABELS[context], labels, strict=True):
                assert i18n.code_of(context, text) == code
                assert i18n.code_of(context, text.upper()) == code


def test_vietnamese_labels_and_english_codes():
    with i18n.use("vi"):
        assert i18n.label("category", "cadre") == "cán bộ"
        assert i18n.label("status", "moves") == "điều động"
        assert i18n.ngettext("{n} problem found", "{n} problems found", 3) == "phát hiện {n} lỗi"
        assert i18n.date("2026-05-31") == "31/05/2026"
    with i18n.use("en"):
        assert i18n.label("category", "cadre") == "cadre"
        assert i18n.date("2026-05-31") == "2026-05-31"
    with pytest.raises(ValueError, match="expected one of en, vi"), i18n.use("fr"):
        pass


def test_a_scenario_language_ends_with_its_command():
    with i18n.use(None):
        i18n.activate("vi")
        assert i18n.current() == "vi"
    assert i18n.current() == "en"


def _active(_task: int) -> str:
    return i18n.current()


def test_workers_run_in_the_callers_language():
    from solver import parallel

    with i18n.use("vi"):
        assert parallel.run(_active, [1, 2], jobs=2) == ["vi", "vi"]
        assert parallel.run(_active, [1], jobs=1) == ["vi"]
