"""The language of everything a planner reads: gettext catalogues compiled by Babel.

Messages are English in the code and marked for extraction (`_`, `ngettext`, `pgettext`, the
no-op markers `N_` and `C_`); solver/locales/<lang>/LC_MESSAGES/commune_staffing.po holds
their translations, compiled to .mo beside it. `python -m solver.i18n update` re-extracts
the template from the code and merges it into every catalogue; `python -m solver.i18n
compile` writes the .mo files (tests/test_i18n.py fails when a message has no translation or a
.mo is stale).

The active language is a context variable, set once per command (`use`), never a global
that code below reaches up to change: `--lang`, else STAFFING_LANG, else the scenario's
`lang`, else English. Codes (unit codes, ids, specialty codes) never change with the language;
labels of codes (statuses, categories, blocs, column headers) do, and `code_of` reads a label
of either language back to its code.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

DOMAIN = "commune_staffing"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
LANGS = ("en", "vi")
DEFAULT_LANG = "en"
ENV = "STAFFING_LANG"

_lang: ContextVar[str] = ContextVar("staffing_lang", default="")
_explicit: ContextVar[bool] = ContextVar("staffing_lang_explicit", default=False)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (English: the messages as written)."""
    if lang == "en":
        return gettext.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with open(mo, "rb") as fh:
        return gettext.GNUTranslations(fh)


def current() -> str:
    """The active language."""
    return _lang.get() or os.environ.get(ENV) or DEFAULT_LANG


def chosen() -> bool:
    """Whether the language was chosen for this command (--lang or STAFFING_LANG), so that a
    scenario's own `lang` does not override it."""
    return _explicit.get() or bool(os.environ.get(ENV))


@contextlib.contextmanager
def use(lang: str | None, explicit: bool = True) -> Iterator[str]:
    """Make `lang` the active language inside the block (None: keep the active one; either
    way, what `activate` does inside the block ends with it)."""
    if lang and lang not in LANGS:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGS)}")
    # resolved once for the block (the environment is read here, not at every message)
    t1 = _lang.set(lang or current())
    t2 = _explicit.set(bool(lang) and explicit or _explicit.get())
    try:
        yield current()
    finally:
        _lang.reset(t1)
        _explicit.reset(t2)


def activate(lang: str) -> None:
    """Set the active language for the rest of this context (a command's scenario default)."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGS)}")
    _lang.set(lang)


def _(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a message for extraction; translate it later with `_`."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with its plural for extraction; translate it later with `ngettext`."""
    return singular, plural


def C_(context: str, message: str) -> str:
    """Mark a message with a context for extraction; translate it later with `pgettext`."""
    return message


# The labels of codes, by context. English labels of codes are the codes themselves (files
# in English keep the columns and values they always had).
LABELS: dict[str, tuple[str, ...]] = {
    "status": (
        C_("status", "stays"),
        C_("status", "moves"),
        C_("status", "unplaced"),
        C_("status", "leaves"),
        C_("status", "out_of_scope"),
        C_("status", "outside_quota"),
        C_("status", "seconded"),
        C_("status", "not_selected"),
    ),
    "kind": (C_("kind", "official"), C_("kind", "secondee")),
    "category": (
        C_("category", "cadre"),
        C_("category", "civil_servant"),
        C_("category", "public_employee"),
        C_("category", "part_time"),
        C_("category", "contract"),
    ),
    "bloc": (
        C_("bloc", "government"),
        C_("bloc", "party"),
        C_("bloc", "front"),
        C_("bloc", "military"),
    ),
    "intention": (C_("intention", "stay"), C_("intention", "retire"), C_("intention", "resign")),
    "unit kind": (
        C_("unit kind", "commune"),
        C_("unit kind", "ward"),
        C_("unit kind", "special_zone"),
    ),
    "tier": (C_("tier", "commune"), C_("tier", "district"), C_("tier", "province")),
    "decision": (
        C_("decision", "assign"),
        C_("decision", "forbid"),
        C_("decision", "unplaced"),
        C_("decision", "second"),
        C_("decision", "exclude"),
    ),
    "population source": (
        C_("population source", "reported"),
        C_("population source", "estimated"),
    ),
    "level": (
        C_("level", "specialty_shortage"),
        C_("level", "quota_shortage"),
        C_("level", "disruption"),
        C_("level", "changes"),
    ),
    "yes/no": (C_("yes/no", "true"), C_("yes/no", "false")),
    "solver status": (
        C_("solver status", "OPTIMAL"),
        C_("solver status", "FEASIBLE"),
        C_("solver status", "INFEASIBLE"),
        C_("solver status", "ERROR"),
    ),
    "method": (  # how an engine proved or found its plan (metrics.json `method`)
        C_("method", "weights"),
        C_("method", "Lagrangian"),
        C_("method", "staged"),
        C_("method", "staged LP"),
        C_("method", "staged LP, integral"),
        C_("method", "baseline"),
    ),
    "column": (  # plan.csv
        C_("column", "id"),
        C_("column", "kind"),
        C_("column", "name"),
        C_("column", "bloc"),
        C_("column", "category"),
        C_("column", "specialty"),
        C_("column", "from"),
        C_("column", "to"),
        C_("column", "status"),
        C_("column", "km"),
        C_("column", "fills"),
        C_("column", "reason"),
        C_("column", "decision"),
        # communes.csv
        C_("column", "commune"),
        C_("column", "quota"),
        C_("column", "unit_norm"),
        C_("column", "before_in_post"),
        C_("column", "before_shortage"),
        C_("column", "before_surplus"),
        C_("column", "before_specialty_gap"),
        C_("column", "placed_officials"),
        C_("column", "secondees"),
        C_("column", "shortage"),
        C_("column", "surplus"),
        C_("column", "specialty_gap"),
        C_("column", "province"),
        # staffing compare
        C_("column", "measure"),
        # staffing timeline
        C_("column", "date"),
        C_("column", "events"),
        C_("column", "held_specialty_shortage"),
        C_("column", "held_quota_shortage"),
        C_("column", "replanned_specialty_shortage"),
        C_("column", "replanned_quota_shortage"),
        C_("column", "people_who_change"),
        C_("column", "secondees_serving"),
        C_("column", "officials_in_post"),
        C_("column", "before"),
        C_("column", "after"),
        # staffing facts
        C_("column", "fact"),
        C_("column", "source"),
        C_("column", "expected"),
        C_("column", "measured"),
        C_("column", "holds"),
        # staffing sweep
        C_("column", "budget"),
        C_("column", "secondees_used"),
        C_("column", "specialty_shortage"),
        C_("column", "quota_shortage"),
        C_("column", "disruption"),
        C_("column", "changes"),
        C_("column", "disruption_gain"),
        C_("column", "changes_gain"),
        C_("column", "specialty_shortage_gain_per_secondee"),
        C_("column", "quota_shortage_gain_per_secondee"),
        C_("column", "specialty_shortage_gain_per_step"),
        C_("column", "quota_shortage_gain_per_step"),
        C_("column", "flat_from_here"),
        C_("column", "same_optimum_as"),
        # staffing sweep --marginal (and the sweep's gains)
        C_("column", "specialty_shortage_gain"),
        C_("column", "quota_shortage_gain"),
        C_("column", "goes_to"),
        C_("column", "goes_to_name"),
    ),
    # the per-specialty columns of communes.csv: "<specialty>_need" and so on
    "specialty column": (
        C_("specialty column", "need"),
        C_("specialty column", "placed"),
        C_("specialty column", "gap"),
        C_("specialty column", "gap_before"),
    ),
}


def render(m: object) -> str:
    """A message in the active language: a models.Msg (template and values) or a constant
    message marked with N_ (anything else is shown as it is)."""
    from models.problems import Msg

    if isinstance(m, Msg):
        t = _(m.template)
        return t.format(**dict(m.args)) if m.args else t
    text = str(m)
    return _(text) if text else text


def issue_text(i: object) -> str:
    """One located input problem (models.Issue) in the active language."""
    from models.problems import Issue

    assert isinstance(i, Issue)
    where = [i.table]
    if i.row is not None:
        where.append(_("row {row}").format(row=i.row))
    if i.column is not None:
        where.append(
            (_("key {name}") if i.label == "key" else _("column {name}")).format(name=i.column)
        )
    text = ", ".join(where) + ": "
    if i.value is not None:
        text += _("found {value}, ").format(value=repr(i.value))
    text += _("expected {what}").format(what=render(i.expected))
    if i.suggestion:
        text += _(" (did you mean {suggestion}?)").format(suggestion=repr(i.suggestion))
    return text


@functools.lru_cache(maxsize=16)
def _specialty_titles(lang: str, specialties: tuple[object, ...]) -> dict[str, str]:
    out = {}
    for sp in specialties:
        name = getattr(sp, f"name_{lang}", None) if lang != "en" else None
        out[getattr(sp, "code")] = name or getattr(sp, "name")  # noqa: B009
    return out


def specialty_titles(scenario: object) -> dict[str, str]:
    """Specialty code → its readable name in the active language (the specialties table's
    name, or name_vi in Vietnamese), as reports show it."""
    return _specialty_titles(current(), tuple(getattr(scenario, "specialties", ())))


def specialty_names(scenario: object) -> dict[str, str]:
    """Specialty code → how tables and reasons name it: the code itself in English (as the
    English files always wrote it), the readable name in other languages."""
    titles = specialty_titles(scenario)
    return {code: code for code in titles} if current() == "en" else titles


def specialty_label(scenario: object, code: str) -> str:
    if current() == "en" or not code:
        return code
    return specialty_titles(scenario).get(code, code)


def label(context: str, code: str) -> str:
    """The label of a code in the active language (English: the code)."""
    if not code:
        return code
    return pgettext(context, code)


def date(value: object) -> str:
    """A date as a planner of the active language writes it: 2025-10-20 in English,
    20/10/2025 in Vietnamese."""
    import datetime as dt

    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.date) and current() == "vi":
        return value.strftime("%d/%m/%Y")
    return str(value)


def fold(text: str) -> str:
    """A label as compared when read back: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@functools.cache
def _codes(context: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang in LANGS:
        t = translations(lang)
        for code in LABELS[context]:
            out.setdefault(fold(t.pgettext(context, code)), code)
            out.setdefault(fold(code), code)
    return out


def code_of(context: str, text: str) -> str | None:
    """The code whose label (in any language) or code is `text`; None when none is."""
    return _codes(context).get(fold(text))


def column_label(column: str, specialty_names: dict[str, str] | None = None) -> str:
    """A table column's header in the active language; a per-specialty column of communes.csv
    ("accounting_gap") reads "<specialty name>: <gap>" in Vietnamese."""
    if column in LABELS["column"]:
        return label("column", column)
    if current() != "en":
        for suffix in sorted(LABELS["specialty column"], key=len, reverse=True):
            if column.endswith("_" + suffix):
                sp = column[: -len(suffix) - 1]
                name = (specialty_names or {}).get(sp, sp)
                return f"{name}: {label('specialty column', suffix)}"
    return column


def column_code(header: str, specialty_names: dict[str, str] | None = None) -> str:
    """A header of either language back to its column code (unknown headers as they are)."""
    code = code_of("column", header)
    if code is not None:
        return code
    if ": " in header:
        name, _sep, what = header.rpartition(": ")
        suffix = code_of("specialty column", what)
        by_name = {fold(v): k for k, v in (specialty_names or {}).items()}
        sp = by_name.get(fold(name), name)
        if suffix is not None:
            return f"{sp}_{suffix}"
    return header


if __name__ == "__main__":  # pragma: no cover - maintenance commands
    from solver.i18n_tools import main

    main()
