"""The new colleague's page before day one (issue 21, item 8): the link in the welcome mail
shows the first day (time, place, leidinggevende, buddy, programme) and lets the new colleague
confirm the details P&O holds, or pass on a correction, once.

The new colleague has no login yet: the link is the key (`needs_login=False`), it lives until
a few days after the first working day, and a new welcome (after a move) revokes the one
before. A correction changes nothing by itself: it goes to P&O's mailbox (the outbox row is
the record) and into the audit by field name only (X-3, X-4); P&O checks and applies it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from poflow._exceptions import NotFound
from poflow.db.models import Hire, Step
from poflow.engine import TZ, Context
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl
from poflow.link_tokens import revoke_links
from poflow.links import ActionLink, FormField, LinkAction, link_url
from poflow.states import StepState

__all__ = [
    "CORRECTION_MAIL",
    "FIRST_DAY",
    "FIRST_DAY_LINK",
    "GRACE_DAYS",
    "first_day_link",
    "programme",
]

FIRST_DAY = "onb.eerste_dag"
CORRECTION_MAIL = "onboarding/gegevens_gecorrigeerd"
GRACE_DAYS = 3  # the page still opens this many days after the first working day

_CONFIRM = (("ja", "Ja, alles klopt"), ("nee", "Nee, ik geef een correctie door"))
_CORRECTIONS = ("prive_email", "telefoon", "adres")
_LABELS = {
    "prive_email": "Privé-e-mailadres",
    "telefoon": "Telefoonnummer",
    "adres": "Adres",
}


def _hire(ctx: Context, link: ActionLink) -> Hire:
    hire = ctx.session.get(Hire, link.case_id) if link.case_type == CaseType.HIRE else None
    if hire is None or hire.municipality != link.municipality:
        raise NotFound(f"Link {link.public_id[:8]} does not point at a new colleague")
    return hire


def programme(ctx: Context, hire: Hire) -> list[str]:
    """The first day's programme, in Dutch lines: the welcome, lunch with the buddy, and the
    new colleague's own appointments planned on that day."""
    m = ctx.config.municipality
    manager = ctx.person(hire.manager_id).full_name
    lines = [f"{m.first_day_time:%H:%M} uur: {manager} ontvangt je ({m.first_day_place})."]
    if hire.buddy_id:
        lines.append(f"Tussen de middag: lunch met je buddy {ctx.person(hire.buddy_id).full_name}.")
    day_start = datetime.combine(hire.first_working_day, datetime.min.time(), TZ)
    day_end = datetime.combine(hire.first_working_day, datetime.max.time(), TZ)
    steps = ctx.session.scalars(
        select(Step)
        .where(
            Step.case_type == CaseType.HIRE,
            Step.case_id == hire.id,
            Step.owner_id == hire.id,
            Step.state == StepState.OPEN,
            Step.starts_at >= day_start,
            Step.starts_at <= day_end,
        )
        .order_by(Step.starts_at)
    ).all()
    for step in steps:
        if step.starts_at is not None:
            lines.append(f"{step.starts_at.astimezone(TZ):%H:%M} uur: {step.title}.")
    return lines


def _describe(ctx: Context, link: ActionLink) -> str:
    hire = _hire(ctx, link)
    m = ctx.config.municipality
    manager = ctx.person(hire.manager_id).full_name
    buddy = ctx.person(hire.buddy_id).full_name if hire.buddy_id else None
    parts = [
        f"Welkom, {hire.given_name}! Je eerste werkdag als {hire.function} (team {hire.team}) "
        f"is op {date_nl(hire.first_working_day)} om {m.first_day_time:%H:%M} uur, "
        f"in {m.first_day_place}.",
        f"Je leidinggevende is {manager}."
        + (f" Je buddy is {buddy}: bij je buddy kun je met al je vragen terecht." if buddy else ""),
        "Het programma van je eerste dag:\n" + "\n".join(programme(ctx, hire)),
        f"Kloppen je gegevens? P&O stuurt berichten tot je eerste werkdag naar "
        f"{hire.private_email}. Klopt dat niet, of is je telefoonnummer of adres veranderd, "
        "geef het hieronder door; P&O past het aan. Met de knop bevestig je je gegevens.",
    ]
    return "\n\n".join(parts)


def _subject(ctx: Context, link: ActionLink) -> str:
    return f"{date_nl(_hire(ctx, link).first_working_day)} bij {ctx.config.name}"


def _cross_check(values: dict[str, str]) -> dict[str, str]:
    corrections = [name for name in _CORRECTIONS if values.get(name)]
    if values.get("klopt") == "nee" and not corrections:
        return {"prive_email": "Vul in wat er niet klopt: je e-mailadres, telefoon of adres."}
    if values.get("klopt") == "ja" and corrections:
        return {"klopt": "Je vulde een correctie in: kies ‘Nee, ik geef een correctie door’."}
    email = values.get("prive_email", "")
    if email and ("@" not in email or " " in email or "." not in email.rpartition("@")[2]):
        return {"prive_email": "Privé-e-mailadres: vul een adres in zoals naam@voorbeeld.nl."}
    return {}


def _perform(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    hire = _hire(ctx, link)
    corrections = {name: form[name] for name in _CORRECTIONS if form.get(name)}
    if not corrections:
        ctx.audit("hire.details_confirmed", "hire", hire.id, link=link.id)
        return "Dank je wel! Je hebt bevestigd dat je gegevens kloppen. Tot op je eerste werkdag!"
    ctx.mail(
        key=f"hire:{hire.id}:gegevens:{link.public_id}",
        template=CORRECTION_MAIL,
        to=ctx.po_recipient(),
        context={
            "medewerker": hire.full_name,
            "hire_id": hire.id,
            "eerste_werkdag": hire.first_working_day,
            "huidig_email": hire.private_email,
            "correcties": [(_LABELS[name], value) for name, value in corrections.items()],
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
    )
    ctx.audit("hire.details_corrected", "hire", hire.id, link=link.id, fields=",".join(corrections))
    return (
        "Dank je wel! We hebben je correctie doorgegeven aan P&O; zij passen je gegevens aan. "
        "Tot op je eerste werkdag!"
    )


FIRST_DAY_LINK = LinkAction(
    name=FIRST_DAY,
    needs_login=False,  # the new colleague has no login before day one: the link is the key
    title="Je eerste werkdag",
    done="gegevens bevestigd",
    subject=_subject,
    describe=_describe,
    perform=_perform,
    button="Gegevens bevestigen",
    expires_days=30,
    fields=(
        FormField(
            name="klopt",
            label="Kloppen je gegevens?",
            kind="select",
            required=True,
            choices=_CONFIRM,
        ),
        FormField(name="prive_email", label="Ander privé-e-mailadres", max_length=254),
        FormField(name="telefoon", label="Telefoonnummer", max_length=40),
        FormField(name="adres", label="Adres", kind="textarea", max_length=300),
    ),
    extra={"validate": _cross_check},
)


def first_day_link(ctx: Context, hire: Hire) -> str:
    """The URL of the new colleague's page before day one, for the welcome mail: it lives until
    GRACE_DAYS after the first working day; the one of an earlier welcome is revoked."""
    revoke_links(
        ctx.session,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=FIRST_DAY,
        reason="new_terms",
    )
    days = max((hire.first_working_day - ctx.day).days + GRACE_DAYS, 1)
    return link_url(
        ctx,
        action=FIRST_DAY,
        subject_id=hire.id,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        expires_days=days,
    )
