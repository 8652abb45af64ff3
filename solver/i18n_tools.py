"""Catalogue maintenance with Babel (a development tool: Babel is in the `test` extra; the
running tool reads the compiled .mo files with the standard library's gettext).

    python -m solver.i18n update    # extract the messages of the code, merge into every .po
    python -m solver.i18n compile   # compile every .po to its .mo
    python -m solver.i18n check     # the untranslated messages, if any (exit 1)
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

from solver.i18n import DOMAIN, LANGS, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "NP_": (1, 2),
    "pgettext": ((1, "c"), 2),
    "C_": ((1, "c"), 2),
    "msg": None,
}
PLURAL_FORMS = {"vi": "nplurals=1; plural=0;"}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*(?:[:!][^}]*)?\}")


def extract() -> Any:
    """Every marked message of models/ and solver/, as a Babel catalogue (no locations, so that
    an edit elsewhere in a file does not change the catalogue)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    cat = Catalog(project="commune-staffing", domain=DOMAIN, fuzzy=False)
    for pkg in ("models", "solver"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            for lineno, msg, _comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
            ):
                rel = path.relative_to(ROOT).as_posix()
                cat.add(msg, None, [(rel, lineno)], context=context)
    return cat


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Any:
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def po_bytes(cat: Any) -> bytes:
    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, cat, width=100, no_location=True, omit_header=False, sort_output=True)
    return buf.getvalue()


def mo_bytes(cat: Any) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, cat)
    return buf.getvalue()


def _fixed_header(cat: Any, lang: str) -> None:
    import datetime as dt

    when = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    cat.creation_date = when
    cat.revision_date = when
    cat.project = "commune-staffing"
    cat.version = "0.1"
    cat.last_translator = "commune-staffing developers"
    cat.language_team = f"{lang} <commune-staffing>"
    cat.msgid_bugs_address = ""
    cat.copyright_holder = "commune-staffing developers"


def update() -> None:
    from babel.messages.catalog import Catalog

    template = extract()
    for lang in LANGS:
        if lang == "en":
            continue
        path = po_path(lang)
        cat = read(lang) if path.is_file() else Catalog(locale=lang, domain=DOMAIN)
        cat.update(template, no_fuzzy_matching=True)
        cat.obsolete.clear()
        _fixed_header(cat, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(cat))
        print(f"{path}: {len(cat)} messages")


def compile_all() -> None:
    for lang in LANGS:
        if lang == "en":
            continue
        cat = read(lang)
        out = po_path(lang).with_suffix(".mo")
        out.write_bytes(mo_bytes(cat))
        print(f"{out}")


def problems(lang: str) -> list[str]:
    """What keeps the catalogue of `lang` from covering the code: messages with no
    translation, fuzzy ones, and translations whose {placeholders} differ from the message."""
    template = extract()
    cat = read(lang)
    out = []
    for m in template:
        if not m.id:
            continue
        t = cat.get(m.id, context=m.context)
        where = f"{m.locations[0][0]}: " if m.locations else ""
        shown = m.id if isinstance(m.id, str) else m.id[0]
        ctx = f" [{m.context}]" if m.context else ""
        if t is None or not t.string or (isinstance(t.string, tuple) and not all(t.string)):
            out.append(f"{where}no {lang} translation of {shown!r}{ctx}")
            continue
        if t.fuzzy:
            out.append(f"{where}fuzzy {lang} translation of {shown!r}{ctx}")
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = t.string if isinstance(t.string, tuple) else (t.string,)
        want = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        # a language of one form may say it with the plural's fields alone (click names the
        # same value differently in its two forms and passes both)
        plural = set(PLACEHOLDER.findall(ids[-1])) if len(strs) == 1 < len(ids) else want
        for s in strs:
            if set(PLACEHOLDER.findall(s)) not in (want, plural):
                out.append(
                    f"{where}{lang} translation of {shown!r}{ctx} has placeholders "
                    f"{sorted(PLACEHOLDER.findall(s))}, expected {sorted(want)}"
                )
    return out


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "update":
        update()
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        bad = [p for lang in LANGS if lang != "en" for p in problems(lang)]
        print("\n".join(bad) or "every message is translated")
        sys.exit(1 if bad else 0)
    else:
        print(__doc__)
        sys.exit(64)
