"""Click's own messages in the planner's language: usage errors ("No such option", "Invalid
value for …"), the usage line and the help's headings.

Click marks its messages for gettext and translates them through the standard library's
global `gettext` domain, which would make its language depend on the machine's locale rather
than on `--lang`. `install` points the `_` and `ngettext` of click's modules at solver.i18n
instead, so that they follow the command's language like every other message; English is the
text click wrote. The messages below are click's own (tests/test_i18n.py checks each still
occurs in the installed click), listed here so that the catalogue carries their translations;
a message of click not listed stays English.
"""

from __future__ import annotations

import importlib

from solver import i18n
from solver.i18n import N_, NP_

MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui")

MESSAGES = (
    # the frame of a usage error and of the help
    N_("Usage:"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Options"),
    N_("Commands"),
    # not "Show this message and exit.": click builds the help option once per command and
    # keeps its text, which would carry one command's language into the next in one process
    N_("default: {default}"),
    N_("Aborted!"),
    # wrong options and arguments
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Could not open file {filename!r}: {message}"),
    # values of the wrong form
    N_("Choose from:\n\t{choices}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
)

PLURALS = (
    NP_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NP_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NP_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    NP_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)


def install() -> None:
    """Make click's modules translate through solver.i18n (idempotent)."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def lang_of(args: list[str]) -> str | None:
    """The language a command line asks for with --lang (None: not given, or not a language),
    read before click parses it, so that click's own errors are in that language too."""
    for i, a in enumerate(args):
        if a == "--":
            break
        value = args[i + 1] if a == "--lang" and i + 1 < len(args) else None
        if a.startswith("--lang="):
            value = a.split("=", 1)[1]
        if value in i18n.LANGS:
            return value
    return None
