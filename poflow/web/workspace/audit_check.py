"""The audit log's check for a logged-in P&O adviser (issue 21): `GET /audit/controle` ("Controleer
de keten" on /audit) runs the checks of `poflow audit verify` on the municipality's hash chain and
its approvals and role assignments (poflow.audit_verify), read-only: unlike the command it seals
nothing, so rows not sealed yet (normally today's) are counted and said to be outside the check.
The result is in Dutch: the chain intact, or the first row that does not fit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from poflow.audit_chain import AUDIT, chain_of
from poflow.audit_verify import check_facts, verify_chains
from poflow.auth.viewer import Viewer
from poflow.kernel.auditchain import Finding, Problem
from poflow.kernel.auditfacts import Unaudited
from poflow.kernel.vocabulary import Role
from poflow.web.workspace.frame import frame, render, require, runtime

__all__ = ["PAGE", "router"]

PAGE = "/audit/controle"
SHOWN = 20
PROBLEM_NL = {
    Problem.CHANGED: "is gewijzigd",
    Problem.MISSING: "is verwijderd of ontbreekt",
    Problem.BACKDATED: "is later ingevoegd met een eerdere tijd",
    Problem.INSERTED: "is later ingevoegd",
    Problem.HEAD: "past niet bij het eind van de keten",
    Problem.ANCHOR: "past niet bij het gepubliceerde controlegetal",
}
router = APIRouter()


def finding_nl(finding: Finding) -> str:
    """One row of the chain that does not fit, in Dutch (the technical reason after it)."""
    row = f"auditregel {finding.audit_id}" if finding.audit_id is not None else "een regel"
    place = f" (plaats {finding.seq} in de keten)" if finding.seq is not None else ""
    return f"De {row}{place} {PROBLEM_NL[finding.problem]} ({finding.why})."


def unaudited_nl(found: Unaudited) -> str:
    """An approval or role without its audit row, in Dutch."""
    return f"Zonder bijbehorende auditregel: {found.what} ({found.why})."


@router.get(PAGE, response_class=HTMLResponse)
def chain_check(request: Request) -> Response:
    """Check the municipality's chain, approvals and roles; say what was found."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    rt = runtime(request)
    slug = viewer.municipality
    chains = verify_chains(rt.factory, slug)
    with rt.factory() as db:
        facts = check_facts(db, slug)
        unsealed = db.scalar(
            select(func.count()).select_from(AUDIT).where(chain_of(slug), AUDIT.c.seq.is_(None))
        )
    chain = chains[0] if chains else None
    findings = [finding_nl(f) for f in chain.findings] if chain is not None else []
    context = {
        **frame(request, viewer, "/audit"),
        "rows": chain.rows if chain is not None else 0,
        "head": chain.head if chain is not None else None,
        "findings": findings[:SHOWN],
        "more": max(0, len(findings) - SHOWN),
        "facts": facts,
        "facts_nl": [unaudited_nl(f) for f in facts.findings[:SHOWN]],
        "unsealed": unsealed or 0,
    }
    return render(request, "werkplek/audit_controle.html", context)
