"""'Mijn werk' (issue 21, item 4) and the new colleague's page before day one (item 8): each
person sees exactly their own open things, acts on them through the link pages without the
mail, and a leidinggevende and a buddy see their new colleagues; the welcome mail carries a
link-only page that shows the first day and records a confirmation once (X-1, X-4); on SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from poflow.db.models import Action, AuditEntry, Outbox, Step
from poflow.link_tokens import read_token
from poflow.links import ActionLink
from poflow.onboarding.first_day import FIRST_DAY, GRACE_DAYS
from poflow.onboarding.links import ITEM_DONE
from poflow.onboarding.planner import WELCOME
from poflow.runtime import run_day
from poflow.states import StepState
from poflow.web import create_app
from tests.web.support import FORGED, csrf_of, heading, link_in_mail, login_as, path_of

HB = "hardenberg"
PLAN_DAY = date(2027, 1, 4)  # the dispatcher plans the example hires (NH-2027-001 starts 1 Feb)
WELCOME_DAY = date(2027, 1, 25)  # Lotte's welcome at home; the first digests go out
LOTTE = "NH-2027-001"  # leidinggevende HB-0004 Dirk Mulder, buddy HB-0005 Esra Yilmaz
ICT, FACILITAIR = "HB-0009", "HB-0010"


@pytest.fixture
def client(example_data: Any, smtp: Any) -> Iterator[TestClient]:
    """A client of the web app on the example data after the dispatcher's day of planning and
    the day of Lotte's welcome at home (digests with done links went out too)."""
    run_day(example_data, PLAN_DAY, municipality=HB)
    run_day(example_data, WELCOME_DAY, municipality=HB)
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def _open_items(rt: Any, owner: str, role: str | None = None) -> set[int]:
    """The open checklist items of `owner`: by name, or by `role` when they name no one."""
    mine = Step.owner_id == owner
    if role is not None:
        mine = mine | (Step.owner_id.is_(None) & (Step.owner_role == role))
    with rt.factory() as session:
        return set(
            session.scalars(
                select(Step.id).where(mine, Step.process == "onb", Step.state == StepState.OPEN)
            )
        )


def _item_hrefs(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/werk/punt/(\d+)"', html)}


def _public_id(rt: Any, location: str) -> str | None:
    return read_token(rt.settings.signing_keys(), location.rsplit("/a/", 1)[-1])[0]


def _links(rt: Any) -> int:
    with rt.factory() as session:
        return int(session.scalar(select(func.count(ActionLink.id))) or 0)


class TestMyWork:
    """/werk lists what waits for the logged-in person, and only that."""

    def test_my_work_shows_exactly_my_open_items_and_not_another_owners(
        self, example_data: Any, client: TestClient
    ):
        """ICT's page lists every open checklist item ICT owns (its role's) and none of
        facilities'."""
        login_as(client, example_data, ICT)
        page = client.get("/werk")
        assert page.status_code == 200
        assert heading(page.text) == "Mijn werk"
        assert "Ingelogd als Ivo Peters" in page.text
        mine, theirs = (
            _open_items(example_data, ICT, "ict"),
            _open_items(example_data, FACILITAIR, "facilitair"),
        )
        assert mine
        assert theirs
        assert _item_hrefs(page.text) == mine
        assert not mine & theirs
        assert "Lotte Hendriks" in page.text
        assert "Mijn nieuwe collega" not in page.text  # not a leidinggevende of anyone
        assert "Jij bent buddy" not in page.text

    def test_x_1_an_item_opens_the_mailed_link_itself_and_done_it_leaves_the_list(
        self, example_data: Any, client: TestClient, smtp: Any
    ):
        """An item a digest carried opens that very link (no new one); done, it leaves /werk."""
        with example_data.factory() as session:
            mailed = session.scalars(
                select(ActionLink).where(
                    ActionLink.action == ITEM_DONE, ActionLink.subject_id == ICT
                )
            ).first()
        assert mailed is not None
        assert mailed.step_id is not None
        login_as(client, example_data, ICT)
        before = _links(example_data)
        answer = client.get(f"/werk/punt/{mailed.step_id}", follow_redirects=False)
        assert answer.status_code == 303
        assert _public_id(example_data, answer.headers["location"]) == mailed.public_id
        assert _links(example_data) == before
        page = client.get(answer.headers["location"])
        assert page.status_code == 200
        assert heading(page.text).startswith("Punt afvinken")
        done = client.post(answer.headers["location"], data={"csrf": csrf_of(page.text)})
        assert done.status_code == 200
        assert "staat nu op afgerond" in done.text
        with example_data.factory() as session:
            step = session.get(Step, mailed.step_id)
            assert (step.state, step.done_by) == (StepState.DONE, ICT)
        assert mailed.step_id not in _item_hrefs(client.get("/werk").text)

    def test_x_4_an_item_without_a_mailed_link_gets_one_for_its_owner_audited(
        self, example_data: Any, client: TestClient
    ):
        """An item no digest carried yet gets one short link for its owner, audited once."""
        with example_data.factory() as session:
            linked = set(session.scalars(select(ActionLink.step_id)))
        item = min(_open_items(example_data, ICT, "ict") - linked)
        login_as(client, example_data, ICT)
        before = _links(example_data)
        first = client.get(f"/werk/punt/{item}", follow_redirects=False)
        again = client.get(f"/werk/punt/{item}", follow_redirects=False)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]  # issued once, reused
        assert _links(example_data) == before + 1
        with example_data.factory() as session:
            row = session.scalar(select(ActionLink).order_by(ActionLink.id.desc()).limit(1))
            issued = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "link.issued")
            ).all()
        assert (row.subject_id, row.step_id, row.action) == (ICT, item, ITEM_DONE)
        assert row.expires_at - row.created_at == timedelta(days=1)
        assert [(a.actor, a.entity_id) for a in issued] == [(ICT, str(item))]

    def test_another_persons_item_or_link_is_not_found(self, example_data: Any, client: TestClient):
        """Facilities' item and link answer 404 to ICT, and nothing is issued."""
        theirs = min(_open_items(example_data, FACILITAIR, "facilitair"))
        with example_data.factory() as session:
            link = session.scalars(
                select(ActionLink).where(ActionLink.subject_id == FACILITAIR)
            ).first()
        assert link is not None
        login_as(client, example_data, ICT)
        before = _links(example_data)
        assert client.get(f"/werk/punt/{theirs}", follow_redirects=False).status_code == 404
        assert client.get(f"/werk/link/{link.public_id}", follow_redirects=False).status_code == 404
        assert client.get("/werk/link/onbekend", follow_redirects=False).status_code == 404
        assert _links(example_data) == before

    def test_without_a_login_my_work_sends_to_the_login_page(self, client: TestClient):
        """/werk and / lead to the login page without a session."""
        for path in ("/werk", "/"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/inloggen")


class TestManagerAndBuddy:
    """A leidinggevende sees their new colleagues; a buddy the one they accompany."""

    def test_a_leidinggevende_sees_their_new_colleagues_and_not_anothers(
        self, example_data: Any, client: TestClient
    ):
        """Dirk sees Lotte and Noor (his hires) with start date and phase; not Femke's Milan."""
        login_as(client, example_data, "HB-0004")
        page = client.get("/werk").text
        section = page.split("Mijn nieuwe collega's", 1)[1].split("</table>", 1)[0]
        assert "Lotte Hendriks" in section
        assert "Noor Bakker" in section
        assert "Milan Dekker" not in page
        assert "Olaf Meijer" not in page
        assert "maandag 1 februari 2027" in section
        assert "Vóór de eerste werkdag" in section
        assert "Jij bent buddy" not in page

    def test_a_buddy_sees_the_new_colleague_with_their_own_dates(
        self, example_data: Any, client: TestClient
    ):
        """Esra, buddy of Lotte and Noor, sees both with their first day and her buddy dates."""
        login_as(client, example_data, "HB-0005")
        page = client.get("/werk").text
        buddy = page.split("Jij bent buddy", 1)[1]
        assert "Lotte Hendriks" in buddy
        assert "Noor Bakker" in buddy
        assert "maandag 1 februari 2027" in buddy
        assert "Mijn nieuwe collega's" not in page
        with example_data.factory() as session:
            steps = session.scalars(
                select(Step).where(Step.owner_id == "HB-0005", Step.state == StepState.OPEN)
            ).all()
        assert steps
        for step in steps:
            assert step.title in buddy

    def test_a_link_mailed_to_me_is_listed_and_opens_its_page(
        self, example_data: Any, client: TestClient
    ):
        """A form link mailed to Dirk is on his page and opens its own link page, logged in."""
        with example_data.factory() as session:
            link = session.scalars(
                select(ActionLink).where(
                    ActionLink.subject_id == "HB-0004", ActionLink.used_at.is_(None)
                )
            ).first()
        assert link is not None
        login_as(client, example_data, "HB-0004")
        page = client.get("/werk").text
        assert f'href="/werk/link/{link.public_id}"' in page or link.step_id is not None
        answer = client.get(f"/werk/link/{link.public_id}", follow_redirects=False)
        assert answer.status_code == 303
        assert _public_id(example_data, answer.headers["location"]) == link.public_id
        assert client.get(answer.headers["location"]).status_code == 200


# -- the new colleague's page before day one (item 8) -------------------------------------------
def _welcome(rt: Any, smtp: Any) -> tuple[str, date]:
    """The page link in Lotte's welcome at home (received by the SMTP server) and its day."""
    with rt.factory() as session:
        day = session.scalar(
            select(Action.due_date).where(Action.kind == WELCOME, Action.case_id == LOTTE)
        )
    assert day == WELCOME_DAY
    mails = [
        m
        for m in smtp.messages
        if "lotte.hendriks@example.org" in str(m["To"]) and "Welkom bij" in str(m["Subject"])
    ]
    assert len(mails) == 1, [str(m["Subject"]) for m in smtp.messages]
    return link_in_mail(mails[0]), day


class TestFirstDayPage:
    """The link in the welcome mail: the first day, and the details confirmed once."""

    def test_the_welcome_mail_carries_a_page_link_that_lives_until_after_day_one(
        self, example_data: Any, client: TestClient, smtp: Any
    ):
        """The welcome at home links the page; it expires GRACE_DAYS after the first day."""
        url, day = _welcome(example_data, smtp)
        public_id = _public_id(example_data, url)
        with example_data.factory() as session:
            row = session.scalar(select(ActionLink).where(ActionLink.public_id == public_id))
        assert (row.action, row.case_id, row.subject_id) == (FIRST_DAY, LOTTE, LOTTE)
        lives = (date(2027, 2, 1) - day).days + GRACE_DAYS
        assert row.expires_at - row.created_at == timedelta(days=lives)

    def test_x_1_the_page_shows_the_first_day_and_records_the_confirmation_once(
        self, example_data: Any, client: TestClient, smtp: Any
    ):
        """Without a login the page shows day, time, place, leidinggevende, buddy and
        programme; the confirmation is recorded and audited once, a second is refused."""
        url, _ = _welcome(example_data, smtp)
        page = client.get(path_of(url))
        assert page.status_code == 200
        text = page.text
        for part in ("maandag 1 februari 2027", "08:30", "Dirk Mulder", "Esra Yilmaz"):
            assert part in text, part
        assert "programma van je eerste dag" in text
        assert "lotte.hendriks@example.org" in text
        done = client.post(path_of(url), data={"csrf": csrf_of(text), "klopt": "ja"})
        assert done.status_code == 200
        assert "bevestigd" in done.text
        assert "Vastgelegd door Lotte Hendriks" in done.text
        again = client.post(path_of(url), data={"csrf": csrf_of(text), "klopt": "ja"})
        assert again.status_code >= 400
        assert client.get(path_of(url)).status_code >= 400
        with example_data.factory() as session:
            confirmed = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "hire.details_confirmed")
            ).all()
        assert [(a.entity_id, a.actor) for a in confirmed] == [(LOTTE, LOTTE)]

    def test_x_3_a_correction_goes_to_po_and_the_audit_names_only_the_fields(
        self, example_data: Any, client: TestClient, smtp: Any
    ):
        """A corrected phone number and address reach P&O's mailbox; the audit says which
        fields, never their values, and the hire record is left for P&O to change."""
        url, _ = _welcome(example_data, smtp)
        page = client.get(path_of(url))
        posted = {
            "csrf": csrf_of(page.text),
            "klopt": "nee",
            "telefoon": "06 11112222",
            "adres": "Voorbeeldstraat 1, Hardenberg",
        }
        done = client.post(path_of(url), data=posted)
        assert done.status_code == 200
        assert "doorgegeven aan P&amp;O" in done.text
        with example_data.factory() as session:
            mail = session.scalar(
                select(Outbox).where(Outbox.template == "onboarding/gegevens_gecorrigeerd")
            )
            audit = session.scalar(
                select(AuditEntry).where(AuditEntry.action == "hire.details_corrected")
            )
        assert mail is not None
        assert mail.recipient_email.startswith("po")
        assert "06 11112222" in mail.body_text
        assert "Voorbeeldstraat 1" in mail.body_text
        assert audit is not None
        assert audit.detail["fields"] == "telefoon,adres"
        assert "06 11112222" not in str(audit.detail)

    def test_a_no_without_a_correction_is_refused_by_field_and_changes_nothing(
        self, example_data: Any, client: TestClient, smtp: Any
    ):
        """'Nee' without what is wrong names the field; the link stays usable."""
        url, _ = _welcome(example_data, smtp)
        page = client.get(path_of(url))
        answer = client.post(path_of(url), data={"csrf": csrf_of(page.text), "klopt": "nee"})
        assert answer.status_code == 422
        assert 'href="#veld-prive_email"' in answer.text
        assert client.get(path_of(url)).status_code == 200

    def test_an_expired_or_forged_page_link_is_refused(
        self, example_data: Any, client: TestClient, smtp: Any
    ):
        """After its expiry, or forged, the page shows nothing of the first day."""
        url, _ = _welcome(example_data, smtp)
        public_id = _public_id(example_data, url)
        with example_data.factory() as session, session.begin():
            session.execute(
                update(ActionLink)
                .where(ActionLink.public_id == public_id)
                .values(expires_at=datetime(2026, 1, 1, tzinfo=UTC))
            )
        expired = client.get(path_of(url))
        assert expired.status_code == 410
        assert "Dirk Mulder" not in expired.text
        forged = client.get(f"/a/{FORGED}")
        assert forged.status_code == 400
        assert "Dirk Mulder" not in forged.text
