"""How a round's step page works (issue 21, item 5), for every step alike: GET shows the step's
form(s) when the viewer may take it now (werving_stappen.open_step); POST reads the form
(Origin and CSRF, frame.read_form), checks the step again, names every wrong field in Dutch,
runs the step's recruitment service as the logged-in person (werving_stappen.take_step) and
then shows the round's page saying what was done (post/redirect/get). A service's refusal is
shown in Dutch (werving_woorden) and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import (
    IllegalTransition,
    ImportRejected,
    InputRefused,
    RecruitmentRefused,
)
from poflow.auth.viewer import Viewer
from poflow.recruitment.board import STAGE_NL
from poflow.recruitment.models import RecruitmentRound
from poflow.web.workspace.frame import Form, form_csrf, frame, read_form, render, require, runtime
from poflow.web.workspace.werving_stappen import STEPS, open_step, take_step
from poflow.web.workspace.werving_woorden import refusal_nl

__all__ = ["REFUSALS", "Reading", "StepForm", "post_step", "purpose_of", "render_step"]

REFUSALS = (
    RecruitmentRefused,
    IllegalTransition,
    InputRefused,
    ImportRejected,
)  # what a service refuses with


@dataclass
class StepForm:
    """One form of a step page: its heading, where it posts, its button, its fields (dicts with
    name, label, kind, and hint, options, required as needed) and whether it sends a file."""

    name: str
    heading: str
    action: str
    button: str
    fields: list[dict[str, Any]]
    purpose: str
    upload: bool = False
    intro: str = ""


@dataclass
class Reading:
    """A posted form read: the values to show again, an error per wrong field (Dutch), and the
    service's arguments when there are no errors."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


_FIELD_DEFAULTS = {"hint": "", "options": [], "required": False, "autocomplete": "", "value": ""}
FormsOf = Callable[[Session, RecruitmentRound, Viewer], list[StepForm]]


def purpose_of(slug: str, round_id: str) -> str:
    """The CSRF purpose of a step's form in one round."""
    return f"werving:{slug}:{round_id}"


def render_step(
    request: Request,
    viewer: Viewer,
    round_id: str,
    slug: str,
    forms_of: FormsOf,
    *,
    posted: str = "",
    reading: Reading | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    """The step's page (or the refusal when the viewer may not take it now); the form named
    `posted` shows `reading`'s values and errors and `problem` (a service's refusal)."""
    with runtime(request).factory() as session:
        rnd = open_step(request, viewer, round_id, slug, session)
        if isinstance(rnd, Response):
            return rnd
        forms = []
        for f in forms_of(session, rnd, viewer):
            mine = f.name == posted
            forms.append(
                {
                    **f.__dict__,
                    "fields": [{**_FIELD_DEFAULTS, **v} for v in f.fields],
                    "csrf": form_csrf(request, f.purpose),
                    "waarden": reading.values if mine and reading else {},
                    "fouten": reading.errors if mine and reading else {},
                    "probleem": problem if mine else None,
                }
            )
        context = {
            **frame(request, viewer, "/werving"),
            "titel": STEPS[slug].label,
            "ronde": {
                "id": rnd.id,
                "functie": rnd.function,
                "team": rnd.team,
                "fase": STAGE_NL[rnd.state],
            },
            "formulieren": forms,
        }
    return render(request, "werkplek/werving_stap.html", context, status)


async def post_step(
    request: Request,
    round_id: str,
    slug: str,
    forms_of: FormsOf,
    read: Callable[[Form, Viewer], Reading],
    service: Callable[..., Any],
    *,
    name: str = "",
    on_refusal: Callable[[Request, Viewer, Exception], Reading | None] | None = None,
    form: Form | None = None,
) -> Response:
    """Take the step from its posted form `name` (default: the step's), then the round's page
    says what was done (`?gedaan=<name>`)."""
    viewer = await run_in_threadpool(require, request)
    if not isinstance(viewer, Viewer):
        return viewer
    if form is None:  # else the caller read it (an upload names its round in the form)
        posted = await read_form(request, purpose_of(name or slug, round_id))
        if not isinstance(posted, Form):
            return posted
        form = posted
    sent: Form = form

    def show(reading: Reading | None, problem: str | None, status: int) -> Response:
        return render_step(
            request,
            viewer,
            round_id,
            slug,
            forms_of,
            posted=name or slug,
            reading=reading,
            problem=problem,
            status=status,
        )

    def checked() -> Response | None:
        with runtime(request).factory() as session:
            rnd = open_step(request, viewer, round_id, slug, session)
            return rnd if isinstance(rnd, Response) else None

    refused = await run_in_threadpool(checked)
    if refused is not None:
        return refused
    reading = await run_in_threadpool(read, sent, viewer)
    if reading.errors:
        return await run_in_threadpool(show, reading, None, 422)
    try:
        await run_in_threadpool(
            take_step, request, viewer, round_id, slug, service, *reading.args, **reading.kwargs
        )
    except REFUSALS as exc:  # the transaction rolled back: nothing changed
        again = await run_in_threadpool(on_refusal, request, viewer, exc) if on_refusal else None
        if again is not None:
            return await run_in_threadpool(
                show, Reading({**reading.values, **again.values}, again.errors), None, 422
            )
        return await run_in_threadpool(show, reading, refusal_nl(exc), 422)
    return RedirectResponse(f"/werving/{round_id}?gedaan={name or slug}", status_code=303)
