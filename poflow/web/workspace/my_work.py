"""`/werk`, "Mijn werk" (issue 21, item 4): every logged-in person's open items, approvals and
forms, talks with their dates, a leidinggevende's new colleagues and a buddy's new colleague,
and the way from there to the page where each is done without the mail.

Acting from here uses the link pages themselves (one implementation of every action). For a
link poflow mailed, `/werk/link/<id>` looks up that very link row (the person's own, unused,
not revoked, not expired) and sends the browser to its page: the token is derived again from
the row's public id with the current signing key, so nothing new becomes valid and the mailed
link's single use, expiry and revocation keep applying to both. A checklist item can also be
open before any digest carried its link: `/werk/punt/<step>` then issues one link to the
item's owner (one day, audited "link.issued") and uses it from then on; re-issuing is safe
because marking an item done is idempotent and the new link names the same step and person.
Another person's link or item answers 404, as an unknown one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from poflow.auth.viewer import Viewer
from poflow.db.base import utcnow
from poflow.db.models import Step
from poflow.kernel.vocabulary import CaseType
from poflow.links import ActionLink, link_url, serializer
from poflow.onboarding.links import ITEM_DONE
from poflow.onboarding.steps import ITEM_PREFIX
from poflow.runtime import today
from poflow.states import StepState
from poflow.web.workspace.frame import frame, message, render, require, runtime
from poflow.web.workspace.mine import my_work, owns

__all__ = ["OWNER_LINK_DAYS", "router"]

router = APIRouter()
OWNER_LINK_DAYS = 1  # a link issued here is used at once: it need not live long


def _not_found(request: Request, viewer: Viewer) -> Response:
    text = "Dit punt of deze link staat niet (meer) voor jou open. Er is niets gewijzigd."
    return message(request, viewer, "Niet gevonden", text, 404)


@router.get("/werk", response_class=HTMLResponse)
def my_work_page(request: Request) -> Response:
    """Everything waiting for the logged-in person, in one place."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    rt = runtime(request)
    with rt.factory() as db:
        ctx = rt.context(db, viewer.municipality, today(), actor=viewer.person_id)
        work = my_work(ctx, viewer.person_id, viewer.roles)
        db.rollback()
    return render(request, "werkplek/werk.html", {**frame(request, viewer, "/werk"), "work": work})


def _token(request: Request, link: ActionLink) -> str:
    return str(serializer(runtime(request).settings.signing_keys()).dumps({"l": link.public_id}))


@router.get("/werk/link/{public_id}")
def open_my_link(public_id: str, request: Request) -> Response:
    """To the page of a link mailed to the logged-in person (the same link, not a new one)."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    with runtime(request).factory() as db:
        link = db.scalar(select(ActionLink).where(ActionLink.public_id == public_id[:64]))
        if (
            link is None
            or link.subject_id != viewer.person_id
            or link.municipality != viewer.municipality
        ):
            return _not_found(request, viewer)
        token = _token(request, link)
    return RedirectResponse(f"/a/{token}", status_code=303)


@router.get("/werk/punt/{step_id}")
def open_my_item(step_id: int, request: Request) -> Response:
    """To the done page of a checklist item the logged-in person owns (by name or role): its
    mailed link when one still works, else one issued to them now (see the module docstring)."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    rt = runtime(request)
    with rt.factory() as db:
        step = db.get(Step, step_id)
        if (
            step is None
            or not owns(step, viewer.person_id, viewer.roles)
            or step.municipality != viewer.municipality
            or step.process != "onb"
            or not step.key.startswith(ITEM_PREFIX)
            or step.state != StepState.OPEN
        ):
            return _not_found(request, viewer)
        link = db.scalar(
            select(ActionLink)
            .where(
                ActionLink.action == ITEM_DONE,
                ActionLink.step_id == step.id,
                ActionLink.subject_id == viewer.person_id,
                ActionLink.used_at.is_(None),
                ActionLink.revoked_at.is_(None),
                ActionLink.expires_at > utcnow(),
            )
            .order_by(ActionLink.id.desc())
            .limit(1)
        )
        if link is not None:
            return RedirectResponse(f"/a/{_token(request, link)}", status_code=303)
        ctx = rt.context(db, viewer.municipality, today(), actor=viewer.person_id)
        url = link_url(
            ctx,
            action=ITEM_DONE,
            subject_id=viewer.person_id,
            case_type=CaseType.HIRE,
            case_id=step.case_id,
            step_id=step.id,
            expires_days=OWNER_LINK_DAYS,
        )
        db.flush()
        ctx.audit("link.issued", "step", str(step.id), hire=step.case_id, link_action=ITEM_DONE)
        db.commit()
    return RedirectResponse(url.removeprefix(rt.settings.resolved_base_url()), status_code=303)
