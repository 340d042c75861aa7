"""Wiring for one OS process: settings, the processes' registry, municipality configs, the
session factory, Prefect's env. The composition root: `build_runtime` is where poflow.processes'
ordered list becomes the registry everything else looks things up in.

`prepare_environment()` must run before Prefect is imported: it points Prefect's home at the
data dir and switches off analytics (no internet here) unless the caller set them.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from poflow._exceptions import NotFound
from poflow.audit_chain import seal as seal_audit
from poflow.config import CORE_SECTIONS, MunicipalityConfig, Sections, load_all
from poflow.db.session import session_factory
from poflow.engine import (
    SYSTEM_ACTOR,
    Context,
    DayReport,
    Registry,
    municipalities_with_work,
    perform_due_in,
    perform_groups,
    plan_hires,
    track_cases,
)
from poflow.kernel.calendar import today
from poflow.mail.overrides import check_overrides
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.processes import DAILY_ORDER, PROCESSES
from poflow.settings import Settings, get_settings

__all__ = [
    "Runtime",
    "build_runtime",
    "config_sections",
    "get_runtime",
    "prepare_environment",
    "run_day",
    "run_days",
    "runtime_in_use",
    "settle_heap",
    "today",
]


def prepare_environment(settings: Settings | None = None) -> None:
    """Default Prefect's settings for poflow: local home in the data dir, loopback, no analytics."""
    settings = settings or get_settings()
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_API_HOST", "127.0.0.1")
    os.environ.setdefault("PREFECT_UI_ENABLED", "true")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    (settings.data_dir / "prefect").mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class Runtime:
    """Everything tasks need, built once per process from the settings."""

    settings: Settings
    registry: Registry
    configs: dict[str, MunicipalityConfig]
    factory: sessionmaker[Session]

    def config(self, slug: str) -> MunicipalityConfig:
        """The configuration of one municipality (NotFound for an unknown slug)."""
        if slug not in self.configs:
            raise NotFound(f"Unknown municipality {slug!r}; known: {', '.join(self.configs)}")
        return self.configs[slug]

    def slugs(self, only: str | None = None) -> list[str]:
        """All municipality slugs, or just `only` after checking it exists."""
        return [self.config(only).slug] if only else sorted(self.configs)

    def context(
        self,
        session: Session,
        municipality: str | MunicipalityConfig,
        day: date,
        *,
        actor: str = SYSTEM_ACTOR,
    ) -> Context:
        """The Context for work in `municipality` (a slug or a config) on `day` by `actor`."""
        config = self.config(municipality) if isinstance(municipality, str) else municipality
        return Context(session, config, self.settings, day, self.registry, actor=actor)

    def plan(self, municipality: str, day: date) -> list[str]:
        """Run every planner for the municipality's hires that are new or moved; their ids."""
        return plan_hires(
            self.factory, self.config(municipality), self.settings, day, registry=self.registry
        )

    def perform(
        self,
        municipalities: Iterable[str],
        day: date,
        *,
        batch_size: int = 500,
        process: str | None = None,
    ) -> dict[str, DayReport]:
        """Perform every pending action (of `process`'s kinds, when given) of these
        municipalities due on or before `day`, once."""
        configs = [self.config(slug) for slug in municipalities]
        kinds = self.registry.kinds(process) if process else None
        return perform_due_in(
            self.factory,
            configs,
            self.settings,
            day,
            registry=self.registry,
            batch_size=batch_size,
            kinds=kinds,
        )

    def daily_processes(self) -> list[str]:
        """The processes with work of their own, in the day's order (DAILY_ORDER first)."""
        return self.registry.daily(DAILY_ORDER)

    def working_on(self, day: date, slugs: Iterable[str]) -> list[str]:
        """The municipalities among `slugs` for which `day` is a working day (actions wait
        for one)."""
        return [slug for slug in slugs if self.config(slug).calendar.is_working_day(day)]


def build_runtime(settings: Settings, registry: Registry | None = None) -> Runtime:
    """A runtime for `settings` with the registry of `registry` (default: every process of
    poflow.processes.PROCESSES); the municipality configs are validated against its sections."""
    registry = registry or _registry()
    configs = load_all(settings.config_dir, config_sections(registry))
    for cfg in configs.values():
        check_overrides(cfg.own_templates, settings.templates_dir)
    return Runtime(
        settings=settings,
        registry=registry,
        configs=configs,
        factory=track_cases(session_factory(settings.resolved_database_url())),
    )


def config_sections(registry: Registry | None = None) -> Sections:
    """The sections each municipality's folder holds: the core ones, then each process's."""
    sections = {**CORE_SECTIONS, **(registry or _registry()).sections}
    return tuple(sections.items())


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry.build(PROCESSES)


@lru_cache(maxsize=4)
def _runtime(settings: Settings) -> Runtime:
    runtime = build_runtime(settings)
    settle_heap()
    return runtime


_heap_settled = False


def settle_heap() -> None:
    """Once per process, when its first runtime is built: take what is alive by then (modules,
    Prefect, SQLAlchemy, the municipality configs) out of the cyclic garbage collector's scans.

    Those objects live as long as the process, yet every full collection walked all of them:
    on a national peak day five full collections cost 0.75 s of 11 (docs/performance.md).
    Objects made later are collected as usual.
    """
    global _heap_settled  # noqa: PLW0603  (once per process, by design)
    if not _heap_settled:
        _heap_settled = True
        gc.collect()
        gc.freeze()


def get_runtime() -> Runtime:
    """The runtime for the current settings (cached; tests clear get_settings' cache)."""
    return _runtime(get_settings())


def runtime_in_use() -> bool:
    """Whether this process has built a runtime (and so may have written to the database)."""
    return _runtime.cache_info().currsize > 0


def run_day(
    rt: Runtime,
    day: date,
    *,
    municipality: str | None = None,
    send: bool = True,
    batch_size: int = 500,
) -> dict[str, int]:
    """One dispatcher day without Prefect (tests, simulations, benchmarks): plan, perform, seal
    the day's audit rows onto their chains (X-4), send.

    The dispatcher flow runs exactly these steps as tasks, one subflow per process in the day's
    order (`daily_processes`); this is the same work in-process. `batch_size` is
    perform_due_in's (smaller batches let several workers interleave in tests).
    """
    totals = {"planned": 0, "performed": 0, "skipped": 0, "failed": 0, "sent": 0}
    with rt.factory() as session:
        work = municipalities_with_work(session, day, rt.slugs(municipality))
    for slug in work.to_plan:
        totals["planned"] += len(rt.plan(slug, day))
    for process in rt.daily_processes():
        with rt.factory() as session:
            due = municipalities_with_work(
                session, day, work.to_perform, rt.registry.kinds(process)
            ).to_perform
        for group in perform_groups(rt.working_on(day, due)):
            reports = rt.perform(group, day, batch_size=batch_size, process=process)
            for report in reports.values():
                totals["performed"] += report.performed
                totals["skipped"] += report.skipped
                totals["failed"] += len(report.failed_actions)
    seal_audit(rt.factory, municipality)
    if send:
        target = SmtpTarget.from_settings(rt.settings)
        dated = None if day == today() else day  # a simulated day dates its mails
        mailed = send_queued(rt.factory, target, municipality=municipality, dated=dated)
        totals["sent"] = len(mailed.sent)
    return totals


def run_days(rt: Runtime, first: date, last: date, **kwargs: object) -> list[dict[str, int]]:
    """run_day for every day from `first` to `last` inclusive, in order."""

    out = []
    day = first
    while day <= last:
        out.append(run_day(rt, day, **kwargs))  # type: ignore[arg-type]
        day += timedelta(days=1)
    return out
