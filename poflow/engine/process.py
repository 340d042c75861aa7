"""The declaration of one process (`ProcessSpec`), and the registry built from all of them.

Each process package ends with one `SPEC = ProcessSpec(...)` in its `process.py`: its config
section, tables, planner, handlers, link actions, CLI, deployments and status columns.
`poflow.processes.PROCESSES` lists the specs in planner order; `Registry.build` turns that list
into what the engine, the web app, the CLI and the config loader look things up in. Importing a
process module registers nothing: only this list decides what the system is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from poflow._exceptions import ConfigError

if TYPE_CHECKING:
    from poflow.config import MunicipalityConfig, Section
    from poflow.db.models import Action, Hire
    from poflow.engine.context import Context
    from poflow.links import LinkAction

__all__ = [
    "BatchHandler",
    "Handler",
    "Planner",
    "ProcessSpec",
    "Registry",
    "StatusColumn",
]

Planner = Callable[["Context", "Hire"], None]
Handler = Callable[["Context", "Action"], bool]
# A batch handler gets the Context of each municipality among its actions, by slug.
BatchHandler = Callable[[dict[str, "Context"], list["Action"]], dict[int, bool]]
# The cells of one status column for a table of hires, by hire id (ids, dates, counts only).
ColumnCells = Callable[
    [Session, list["Hire"], date, Mapping[str, "MunicipalityConfig"]], dict[str, str]
]


@dataclass(frozen=True)
class StatusColumn:
    """A column a process adds to the onboarding status table (ONB-4)."""

    title: str
    cells: ColumnCells


@dataclass(frozen=True)
class ProcessSpec:
    """Everything poflow needs to know of one process, in one place.

    `name` is shared by every layer: `poflow/<name>/`, `config/<gemeente>/<name>.yaml` (when
    `section` is set), `templates/mail/<name>/`, `flows/<name>.py`, `tasks/<name>.py`.
    """

    name: str
    rules: str  # the rule ids of PROCESSES.md it implements, e.g. "CHK-1..3"
    section: type[Section] | None = None
    tables: tuple[type[Any], ...] = ()
    planner: Planner | None = None
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Faster handlers for many actions of a kind at once; each kind has a single handler too.
    batch_handlers: Mapping[str, BatchHandler] = field(default_factory=dict)
    # kind -> kinds it waits for: claimed only once its municipality has none of those due.
    waits_for: Mapping[str, frozenset[str]] = field(default_factory=dict)
    link_actions: Sequence[LinkAction] = ()
    # (command name, typer app) pairs added to `poflow`.
    cli: Sequence[tuple[str, Any]] = ()
    # Scheduled Prefect deployments; called by `poflow serve` only (Prefect loads lazily).
    deployments: Callable[[], list[Any]] | None = None
    # Its daily Prefect flow (`flows/<name>.py`), which performs its action kinds; called by the
    # daily parent flow only (Prefect loads lazily). None: the generic `poflow-process` flow.
    daily_flow: Callable[[], Any] | None = None
    status_columns: Sequence[StatusColumn] = ()


@dataclass(frozen=True)
class Registry:
    """What the processes declare, merged and checked: looked up by kind, name and title."""

    processes: tuple[ProcessSpec, ...]
    planners: Mapping[str, Planner]
    handlers: Mapping[str, Handler]
    batch_handlers: Mapping[str, BatchHandler]
    waits_for: Mapping[str, frozenset[str]]
    link_actions: Mapping[str, LinkAction]
    sections: Mapping[str, type[Section]]
    status_columns: tuple[StatusColumn, ...]

    @property
    def reusable_links(self) -> frozenset[str]:
        """The link actions whose links may be used more than once until they expire."""
        return frozenset(name for name, a in self.link_actions.items() if not a.single_use)

    @property
    def awaited(self) -> frozenset[str]:
        """Every kind some other kind waits for."""
        return frozenset[str]().union(*self.waits_for.values())

    @classmethod
    def build(cls, processes: Sequence[ProcessSpec]) -> Registry:
        """Merge the specs in order; a name, kind, link action or column declared twice, or a
        batch handler or wait without a single handler, is refused (ConfigError)."""
        problems: list[str] = []
        planners: dict[str, Planner] = {}
        handlers: dict[str, Handler] = {}
        batch: dict[str, BatchHandler] = {}
        waits: dict[str, frozenset[str]] = {}
        links: dict[str, LinkAction] = {}
        sections: dict[str, type[Section]] = {}
        columns: dict[str, StatusColumn] = {}
        owners: dict[str, str] = {}

        def claim(kind: str, key: str, spec: ProcessSpec) -> bool:
            owner = owners.setdefault(f"{kind}:{key}", spec.name)
            if owner != spec.name:
                problems.append(f"{kind} {key!r} is declared by {owner} and {spec.name}")
                return False
            return True

        names = [spec.name for spec in processes]
        problems.extend(
            f"process {name!r} is listed twice"
            for name in sorted(set(names))
            if names.count(name) > 1
        )
        for spec in processes:
            if spec.planner is not None:
                planners[spec.name] = spec.planner
            if spec.section is not None:
                sections[spec.name] = spec.section
            for kind, fn in spec.handlers.items():
                if claim("action kind", kind, spec):
                    handlers[kind] = fn
            for action in spec.link_actions:
                if claim("link action", action.name, spec):
                    links[action.name] = action
            for column in spec.status_columns:
                if claim("status column", column.title, spec):
                    columns[column.title] = column
        for spec in processes:
            for kind, bulk in spec.batch_handlers.items():
                if kind not in spec.handlers:
                    problems.append(f"{spec.name}: batch handler of {kind!r} has no handler")
                batch[kind] = bulk
            for kind, before in spec.waits_for.items():
                unknown = sorted(k for k in {kind, *before} if k not in handlers)
                if unknown:
                    problems.append(f"{spec.name}: waits_for names unknown kinds {unknown}")
                waits[kind] = frozenset(before)
        if problems:
            raise ConfigError("poflow.processes.PROCESSES", problems)
        return cls(
            processes=tuple(processes),
            planners=planners,
            handlers=handlers,
            batch_handlers=batch,
            waits_for=waits,
            link_actions=links,
            sections=sections,
            status_columns=tuple(columns.values()),
        )

    def daily(self, order: Sequence[str] = ()) -> list[str]:
        """The processes with action kinds, in the day's order: those named in `order` first (in
        that order), then the others in list order. Each gets its own pass (its daily flow)."""
        with_kinds = [spec.name for spec in self.processes if spec.handlers]
        first = [name for name in order if name in with_kinds]
        return [*first, *(name for name in with_kinds if name not in first)]

    def kinds(self, name: str) -> frozenset[str]:
        """The action kinds process `name` handles: what its daily flow performs."""
        return frozenset(self.process(name).handlers)

    def process(self, name: str) -> ProcessSpec:
        """The spec named `name` (KeyError for an unknown one)."""
        for spec in self.processes:
            if spec.name == name:
                return spec
        raise KeyError(name)
