"""Adding candidates to a round, one or a file's worth, all or none (REC-4): the one service
behind `poflow recruitment candidates` and the workspace's candidate forms."""

from __future__ import annotations

from typing import Any

from poflow._exceptions import ImportRejected, RecruitmentRefused
from poflow.engine import Context
from poflow.recruitment.candidates import (
    CANDIDATE_COLUMNS,
    OPTIONAL_COLUMNS,
    add_candidate,
    checked_candidates,
)
from poflow.recruitment.models import Candidate
from poflow.rows import parse_rows

__all__ = ["add_candidates", "parse_candidates"]


def parse_candidates(
    content: bytes, source: str, *, xlsx: bool, smtputf8: bool | None = None
) -> list[dict[str, Any]]:
    """An uploaded candidates file's rows as add_candidate's arguments (ImportRejected names
    every bad row and column; nothing is added)."""
    recs = parse_rows(content, source, CANDIDATE_COLUMNS, optional=OPTIONAL_COLUMNS, xlsx=xlsx)
    return checked_candidates(recs, source, smtputf8=smtputf8)


def add_candidates(
    ctx: Context, round_id: str, rows: list[dict[str, Any]], *, source: str | None = None
) -> list[Candidate]:
    """Add every row's application, or none: ImportRejected lists each row the round refuses
    ("row N: why" when the rows come from the file `source`, else the refusal itself), and the
    caller's transaction rolls back."""
    problems: list[str] = []
    added: list[Candidate] = []
    for n, row in enumerate(rows, start=2):
        try:
            added.append(add_candidate(ctx, round_id, **row))
        except RecruitmentRefused as exc:  # every row named; none is added (REC-4)
            problems.append(f"row {n}: {exc}" if source is not None else str(exc))
    if problems:
        raise ImportRejected(source or "--tier", problems)
    return added
