"""A problem found in the input, located by table, row and column."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def N_(message: str) -> str:
    """Mark a message for translation (solver.i18n translates it where it is shown)."""
    return message


@dataclass(frozen=True, eq=False)
class Msg:
    """A message to translate where it is shown: an English template with {named} fields and
    their values. str() is the English text, and a Msg equals its English text."""

    template: str
    args: tuple[tuple[str, Any], ...] = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Msg | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __str__(self) -> str:
        return self.template.format(**dict(self.args)) if self.args else self.template

    def __contains__(self, part: str) -> bool:
        return part in str(self)


def msg(template: str, **args: Any) -> Msg:
    """A message with its values: msg("quota of {q}", q=36)."""
    return Msg(template, tuple(args.items()))


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (or row, or whole table) of a scenario input.

    `row` is the row number as a spreadsheet shows it: the header is row 1, the first data
    row is row 2; None means the whole table or file.
    """

    table: str
    row: int | None
    column: str | None
    value: object
    expected: str | Msg
    suggestion: str | None = None
    label: str = "column"

    def text(self) -> str:
        where = [self.table]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"{self.label} {self.column}")
        msg = ", ".join(where) + ": "
        if self.value is not None:
            msg += f"found {self.value!r}, "
        msg += f"expected {str(self.expected)}"
        if self.suggestion:
            msg += f" (did you mean {self.suggestion!r}?)"
        return msg


def did_you_mean(value: str, known: Iterable[str]) -> str | None:
    """The closest known value, if any is close enough to be a likely typo."""
    match = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return match[0] if match else None


class InputError(Exception):
    """Input a user can fix: every problem found, each located. The one error family the CLI
    turns into a message and exit code 1 (subclasses say which step found them)."""

    def __init__(self, issues: list[Issue], source: str = "") -> None:
        self.issues = issues
        self.source = source
        n = len(issues)
        head = f"{source}: " if source else ""
        super().__init__(
            f"{head}{n} problem{'s' if n != 1 else ''} found\n"
            + "\n".join(i.text() for i in issues)
        )
