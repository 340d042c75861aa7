"""Sub-commands that are imported when they run, so `poflow --help` answers at once.

`poflow --help` lists every sub-command from a table of names, modules and one-line helps
(`Lazy`); the module behind a command (and with it SQLAlchemy, Prefect, the process packages) is
imported only when that command runs or shows its own help. `tests/test_cli.py` checks the table
against the real commands, so it cannot drift from what `PROCESSES` and the modules declare.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["Lazy", "LazyGroup", "load"]


@dataclass(frozen=True)
class Lazy:
    """Where a sub-command lives: `module` and, in it, either `attr` (a typer app or command
    function) or, with `attr=None`, the process's `SPEC.cli` entry of that name; `help` is the
    first line of its help, shown in `poflow --help`."""

    module: str
    help: str
    attr: str | None = None


def _as_click(name: str, command: Any) -> Any:
    if isinstance(command, typer.Typer):
        group = typer.main.get_group(command)  # a group even with one command in it
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(command)
    return typer.main.get_command(single)  # one command: typer gives the command itself


def load(name: str, lazy: Lazy) -> Any:
    """Import the module of `lazy` and return its sub-command `name` as a click command."""
    module = importlib.import_module(lazy.module)
    if lazy.attr is not None:
        return _as_click(name, getattr(module, lazy.attr))
    commands = dict(module.SPEC.cli)
    return _as_click(name, commands[name])


class LazyGroup(TyperGroup):
    """A typer group whose `table` sub-commands load on first use (see the module docstring)."""

    table: ClassVar[Mapping[str, Lazy]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._help_only = False

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands defined here, then those of the table, in its order."""
        return [*super().list_commands(ctx), *(n for n in self.table if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command: loaded from its module, or only its name and help while the group's
        own help is written."""
        if cmd_name in self.commands or cmd_name not in self.table:
            return super().get_command(ctx, cmd_name)
        lazy = self.table[cmd_name]
        if self._help_only:
            return TyperCommand(name=cmd_name, help=lazy.help, short_help=lazy.help)
        command = load(cmd_name, lazy)
        self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The group's help, listing the table's commands without importing them."""
        self._help_only = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._help_only = False
