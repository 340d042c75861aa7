"""Tests of onboarding progress at a glance: the status table and its columns (ONB-4)."""

from __future__ import annotations

from datetime import date

from poflow.db.models import Hire
from poflow.engine import StatusColumn
from poflow.onboarding.rules import Phase
from poflow.onboarding.status import PhaseCount, markdown_overview, status_rows
from tests.onboarding.support import ctx_for, import_examples

DAY = date(2027, 2, 16)
HB = "hardenberg"


def _planned_examples(rt):
    """The example hires imported and planned on 4 January 2027, one item of NH-2027-001 done."""
    from poflow.onboarding.steps import complete_item
    from poflow.runtime import run_day

    import_examples(rt)
    run_day(rt, date(2027, 1, 4), municipality=HB, send=False)
    with rt.factory() as session, session.begin():
        complete_item(ctx_for(rt, session, HB, DAY), "NH-2027-001", "controle-id", by="HB-0002")


def test_onb_4_status_counts_done_open_and_overdue_items_per_phase(sqlite_runtime):
    """Each running hire has a row with done/open/overdue per phase, buddy and next check-in."""
    _planned_examples(sqlite_runtime)
    with sqlite_runtime.factory() as session:
        rows = {
            r["hire"]: r
            for r in status_rows(
                session,
                sqlite_runtime.config(HB),
                DAY,
                columns=sqlite_runtime.registry.status_columns,
                configs=sqlite_runtime.configs,
            )
        }
    assert list(rows) == ["NH-2027-001", "NH-2027-002", "NH-2027-003", "NH-2027-004"]
    first = rows["NH-2027-001"]
    assert {k: first[k] for k in list(first)[:9]} == {
        "hire": "NH-2027-001",
        "start": "2027-02-01",
        "fase": "0-3 mnd",
        "vóór dag 1 k/o/t": "3/0/9",  # buddy and check-ins by poflow, controle-id by P&O
        "dag 1 k/o/t": "0/0/5",
        "0-3 mnd k/o/t": "0/2/2",
        "3-6 mnd k/o/t": "0/3/0",
        "buddy": "ja",
        "volgende bijpraatmoment": "2027-03-01",
    }
    assert rows["NH-2027-003"]["3-6 mnd k/o/t"] == "–"  # a five-month intern: no six-month items
    assert rows["NH-2027-003"]["fase"] == "vóór dag 1"


def test_onb_4_a_declared_column_appears_in_every_row(sqlite_runtime):
    """Another process declares a status column; each row then carries it."""
    _planned_examples(sqlite_runtime)

    def weeks_in_service(session, hires: list[Hire], day: date, configs) -> dict[str, str]:
        return {h.id: str(max((day - h.first_working_day).days // 7, 0)) for h in hires}

    column = StatusColumn("weken in dienst", weeks_in_service)
    with sqlite_runtime.factory() as session:
        rows = status_rows(session, sqlite_runtime.config(HB), DAY, columns=(column,))
    assert [r["weken in dienst"] for r in rows] == ["2", "0", "0", "0"]


def test_onb_4_markdown_overview_draws_a_completion_bar_per_phase():
    """The municipality view shows a 20-block bar and the counts for each phase."""
    totals = {
        Phase.VOOR: PhaseCount(done=15, open=3, overdue=2),
        Phase.EERSTE_WERKDAG: PhaseCount(),
        Phase.DRIE_MAANDEN: PhaseCount(open=4),
        Phase.ZES_MAANDEN: PhaseCount(done=1, open=1),
    }
    text = markdown_overview("Gemeente Hardenberg", DAY, totals, hires=2)
    bar = "█" * 15 + "░" * 5
    assert f"| Vóór de eerste werkdag | `{bar}` 75 % | 15 | 3 | 2 ⚠️ |" in text
    assert "| De eerste zes maanden | `" + "█" * 10 + "░" * 10 + "` 50 % | 1 | 1 | 0 |" in text
    assert "2 nieuwe collega('s) in onboarding." in text
