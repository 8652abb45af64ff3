"""Render docs/cli.md from the commands' own --help: python -m solver.clidoc docs/cli.md"""

from __future__ import annotations

import click

from solver.cli import EXIT_CODES, main


def _help(cmd: click.Command, name: str, parent: click.Context | None = None) -> str:
    ctx = click.Context(
        cmd,
        info_name=name,
        parent=parent,
        terminal_width=100,
        max_content_width=100,
        help_option_names=["-h", "--help"],
    )
    return cmd.get_help(ctx)


def reference() -> str:
    root = click.Context(
        main,
        info_name="staffing",
        terminal_width=100,
        max_content_width=100,
        help_option_names=["-h", "--help"],
    )
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `python -m solver.clidoc docs/cli.md`; a test keeps "
        "it current.",
        "",
        "```",
        _help(main, "staffing"),
        "```",
    ]
    for name in sorted(main.commands):
        parts += [
            "",
            f"## staffing {name}",
            "",
            "```",
            _help(main.commands[name], name, root),
            "```",
        ]
    parts += [
        "",
        "## Exit codes",
        "",
        "Every command ends with one of these; a user's mistake never ends with a traceback.",
        "",
        "| code | meaning |",
        "|---:|---|",
        *(f"| {code} | {text} |" for code, text in EXIT_CODES.items()),
    ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    import sys
    from pathlib import Path

    Path(sys.argv[1]).write_text(reference(), encoding="utf-8")
