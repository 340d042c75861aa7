"""The two things a link page does: show the confirmation (GET, changes nothing) and act on the
button (POST: verify, claim and perform in one transaction). Refusals are audited (X-4),
counted per client source and minute (poflow/web/refusals.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from poflow._exceptions import ActionRefused, LinkRefused, PoflowError
from poflow.auth.viewer import Viewer
from poflow.config import MunicipalityConfig
from poflow.db.models import AuditEntry
from poflow.db.session import reading
from poflow.engine import Context
from poflow.link_tokens import claim_link, verify_token
from poflow.links import ActionLink, LinkAction
from poflow.runtime import Runtime, today
from poflow.settings import Settings
from poflow.web.forms import validate_form
from poflow.web.guard import (
    csrf_token,
    csrf_valid,
    describe_refusal,
    link_behind,
    new_nonce,
)
from poflow.web.recorded import heading, recorded_line, used_line
from poflow.web.refusals import source_of, tally_refusal

__all__ = ["LinkPages", "Page"]

log = logging.getLogger("poflow.web")


@dataclass
class Page:
    """What to answer: a template under templates/web/, its context, status and CSRF cookie."""

    template: str
    context: dict[str, Any]
    status: int = 200
    nonce: str | None = None  # set the CSRF cookie (path: this link's URL) to this value
    redirect: str | None = None  # answer 303 to this path instead (the login page)


@dataclass
class LinkPages:
    """Serves the link pages of one poflow installation."""

    runtime: Runtime
    _keys: list[str] = field(init=False)  # current first: it signs, every one verifies
    _secret: str = field(init=False)  # the current key
    _reader: sessionmaker[Session] = field(init=False)  # for show(): reads without the lock

    def __post_init__(self) -> None:
        self._keys = self.settings.signing_keys()
        self._secret = self._keys[0]
        self._reader = reading(self.runtime.factory)

    @property
    def settings(self) -> Settings:
        """The installation's settings."""
        return self.runtime.settings

    @property
    def configs(self) -> dict[str, MunicipalityConfig]:
        """Every municipality's configuration, by slug."""
        return self.runtime.configs

    @property
    def factory(self) -> sessionmaker[Session]:
        """The session factory of poflow's database."""
        return self.runtime.factory

    # -- shared pieces ---------------------------------------------------------------------
    def frame(self, row: ActionLink | None) -> dict[str, Any]:
        """The municipality's name and P&O mailbox for the page, when the link is known."""
        cfg = self.configs.get(row.municipality) if row is not None else None
        if cfg is None:
            return {"gemeente": "Personeel & Organisatie", "po_mailbox": None}
        return {"gemeente": cfg.name, "po_mailbox": str(cfg.municipality.po_mailbox)}

    def source(self, client: str | None) -> str:
        """The keyed hash standing for a client address in the refusal tally (X-3)."""
        return source_of(self._secret, client)

    def _refuse(
        self,
        session: Session,
        reason: str,
        row: ActionLink | None,
        token: str,
        method: str,
        source: str,
    ) -> Page:
        """Count (and, first in its minute, audit) the refused attempt, commit only that, and
        show the Dutch page."""
        session.rollback()
        count = tally_refusal(
            session, source=source, reason=reason, method=method, row=row, token=token
        )
        session.commit()
        if count == 1:  # one log line per bucket too: a flood does not fill the log either
            log.info("link refused (%s, %s, link %s)", reason, method, row.id if row else "-")
        recorded = None
        if reason == "used" and row is not None and row.municipality in self.configs:
            action = self.runtime.registry.link_actions.get(row.action)
            recorded = used_line(self._context(session, row, None), row, action)
            session.rollback()
        refusal = describe_refusal(reason, row, recorded)
        return Page("refused.html", {**self.frame(row), "refusal": refusal}, refusal.status)

    def _usable(
        self, session: Session, token: str, method: str, source: str
    ) -> tuple[ActionLink, LinkAction] | Page:
        try:
            row = verify_token(
                session,
                secret=self._keys,
                token=token,
                reusable=self.runtime.registry.reusable_links,
            )
        except LinkRefused as exc:
            known, signed_ok = link_behind(session, self._keys, token)
            reason = "altered" if exc.reason == "forged" and known and not signed_ok else exc.reason
            return self._refuse(session, reason, known, token, method, source)
        action = self.runtime.registry.link_actions.get(row.action)
        if action is None or row.municipality not in self.configs:
            return self._refuse(session, "unknown_action", row, token, method, source)
        return row, action

    def _context(self, session: Session, row: ActionLink, viewer: Viewer | None) -> Context:
        actor = viewer.person_id if viewer is not None else row.subject_id
        return self.runtime.context(session, row.municipality, today(), actor=actor)

    def _login_needed(
        self,
        session: Session,
        row: ActionLink,
        action: LinkAction,
        viewer: Viewer | None,
        token: str,
        method: str,
        source: str,
    ) -> Page | None:
        """For a link whose action needs a login: to the login page (and back) without a
        session; refused, audited, when someone else than the link's person is logged in."""
        if not action.needs_login:
            return None
        if viewer is None:
            session.rollback()
            return Page("result.html", {}, 303, redirect=f"/inloggen?next=/a/{token}")
        if viewer.person_id != row.subject_id:
            return self._refuse(session, "other_person", row, token, method, source)
        return None

    def _confirm(
        self,
        ctx: Context,
        row: ActionLink,
        action: LinkAction,
        nonce: str,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Page:
        return Page(
            "confirm.html",
            {
                **self.frame(row),
                "action": action,
                "heading": heading(ctx, row, action),
                "description": action.describe(ctx, row),
                "csrf": csrf_token(self._secret, row.public_id, nonce),
                "values": values or {},
                "errors": errors or {},
            },
            status,
            nonce,
        )

    # -- GET -------------------------------------------------------------------------------
    def show(
        self,
        token: str,
        cookie_nonce: str | None,
        client: str | None = None,
        viewer: Viewer | None = None,
    ) -> Page:
        """The confirmation page; never commits anything but the tally of a refusal. `client`
        is the requester's address (only its keyed hash is kept), `viewer` the logged-in
        person. Its session reads without the write lock (`reading`): a refusal rolls back
        before it counts, so its transaction begins with the write."""
        source = self.source(client)
        with self._reader() as session:
            found = self._usable(session, token, "GET", source)
            if isinstance(found, Page):
                return found
            row, action = found
            refused = self._login_needed(session, row, action, viewer, token, "GET", source)
            if refused is not None:
                return refused
            page = self._confirm(
                self._context(session, row, viewer), row, action, cookie_nonce or new_nonce()
            )
            session.rollback()  # a describe() must not change anything: make sure of it
            return page

    # -- POST ------------------------------------------------------------------------------
    def act(
        self,
        token: str,
        posted: Mapping[str, Sequence[str]],
        cookie_nonce: str | None,
        client: str | None = None,
        viewer: Viewer | None = None,
    ) -> Page:
        """Verify, check the login (for an action that needs one), CSRF and input, then claim
        the link and perform its action, once, as the logged-in person."""
        source = self.source(client)
        with self.factory() as session:
            found = self._usable(session, token, "POST", source)
            if isinstance(found, Page):
                return found
            row, action = found
            refused = self._login_needed(session, row, action, viewer, token, "POST", source)
            if refused is not None:
                return refused
            sent = posted.get("csrf", [])
            valid = len(sent) == 1 and csrf_valid(self._keys, row.public_id, cookie_nonce, sent[0])
            if not valid or cookie_nonce is None:
                return self._refuse(session, "csrf", row, token, "POST", source)
            ctx = self._context(session, row, viewer)
            values, errors = validate_form(action.fields, posted, action.extra.get("validate"))
            if errors:
                page = self._confirm(
                    ctx, row, action, cookie_nonce, values=values, errors=errors, status=422
                )
                session.rollback()
                return page
            return self._perform(session, ctx, row, action, values, token, source)

    def refuse_origin(self, token: str, client: str | None = None) -> Page:
        """Refuse a POST sent from another site's page (its Origin or Referer): counted and
        audited like a refused link, naming the link only when the token's signature is right."""
        with self.factory() as session:
            row, signed_ok = link_behind(session, self._keys, token)
            known = row if signed_ok else None
            return self._refuse(session, "origin", known, token, "POST", self.source(client))

    def _perform(
        self,
        session: Session,
        ctx: Context,
        row: ActionLink,
        action: LinkAction,
        values: dict[str, str],
        token: str,
        source: str,
    ) -> Page:
        added: list[AuditEntry] = []
        event.listen(
            session,
            "transient_to_pending",
            lambda _s, obj: added.append(obj) if isinstance(obj, AuditEntry) else None,
        )
        try:
            claim_link(session, row, reusable=self.runtime.registry.reusable_links)
            message = action.perform(ctx, row, values)
            ctx.audit(
                "link.used",
                "action_link",
                str(row.id),
                link_action=row.action,
                case_type=row.case_type,
                case_id=row.case_id,
                fields=",".join(sorted(k for k, v in values.items() if v)),
            )
            session.commit()
        except LinkRefused as exc:  # a double click or a race: the other request won
            return self._refuse(session, exc.reason, row, token, "POST", source)
        except PoflowError as exc:
            # Nothing the action did stays, except its own audit rows of the refusal.
            kept = [_copy(entry) for entry in added]
            session.rollback()
            session.add_all(kept)
            ctx.audit(
                "link.refused",
                "action_link",
                str(row.id),
                reason="action_refused",
                link_action=row.action,
                error=type(exc.__cause__ or exc).__name__,
            )
            session.commit()
            text = (
                str(exc)
                if isinstance(exc, ActionRefused)
                else "Dit kon niet worden vastgelegd. Neem contact op met P&O."
            )
            return Page(
                "result.html",
                {**self.frame(row), "title": "Niet gelukt", "message": text, "ok": False},
                409,
            )
        log.info("link %s used (%s)", row.id, row.action)
        page = {"title": "Vastgelegd", "message": message, "ok": True}
        page["recorded"] = recorded_line(ctx, row, action)
        session.rollback()  # only read since the commit
        return Page("result.html", {**self.frame(row), **page})


def _copy(entry: AuditEntry) -> AuditEntry:
    copy = AuditEntry(
        municipality=entry.municipality,
        actor=entry.actor,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        detail=dict(entry.detail or {}),
    )
    if entry.at is not None:
        copy.at = entry.at
    return copy
