"""The action a digest's links carry (ONB-3): an owner marks a checklist item done."""

from __future__ import annotations

from sqlalchemy import select

from poflow._exceptions import NotFound
from poflow.db.models import Hire, Step
from poflow.engine import Context
from poflow.kernel.wording import date_nl
from poflow.links import ActionLink, LinkAction
from poflow.onboarding.steps import mark_item_done

__all__ = ["ITEM_DONE", "ITEM_DONE_LINK", "LINK_ACTIONS"]

ITEM_DONE = "onb.item_done"


def _linked_step(ctx: Context, link: ActionLink) -> Step:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.process != "onb":
        raise NotFound(f"Link {link.public_id[:8]} does not point at an onboarding item")
    return step


def _item(ctx: Context, link: ActionLink) -> tuple[Step, str]:
    """The linked item and whom it is for (the hire's name, else its id): one query, kept in
    the context's memo, so a page's heading and description do not each load them again (a
    Hire loads its manager and buddy with their roles, which a name does not need)."""
    key = (ITEM_DONE, link.id)
    if key not in ctx.memo:
        found = ctx.session.execute(
            select(Step, Hire.given_name, Hire.family_name)
            .outerjoin(Hire, Hire.id == Step.case_id)
            .where(Step.id == link.step_id)
        ).first()
        if found is None or found[0].process != "onb":
            raise NotFound(f"Link {link.public_id[:8]} does not point at an onboarding item")
        step, given, family = found
        ctx.memo[key] = (step, f"{given} {family}" if given is not None else step.case_id)
    item: tuple[Step, str] = ctx.memo[key]
    return item


def _describe(ctx: Context, link: ActionLink) -> str:
    step, who = _item(ctx, link)
    return (
        f"Je meldt dat ‘{step.title}’ voor {who} is afgerond (gepland op {date_nl(step.due_date)})."
    )


def _subject(ctx: Context, link: ActionLink) -> str:
    step, who = _item(ctx, link)
    return f"‘{step.title}’ voor {who}"


def _perform(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = _linked_step(ctx, link)
    if mark_item_done(ctx, step, by=ctx.actor):
        return f"Dank je wel! ‘{step.title}’ staat nu op afgerond."
    return f"‘{step.title}’ stond al op afgerond; er is niets veranderd."


ITEM_DONE_LINK = LinkAction(
    name=ITEM_DONE,
    needs_login=False,
    title="Punt afvinken",
    done="punt afgevinkt",
    subject=_subject,
    describe=_describe,
    perform=_perform,
    button="Punt afvinken",
    expires_days=30,
)

LINK_ACTIONS = (ITEM_DONE_LINK,)
