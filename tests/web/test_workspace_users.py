"""Logins of the staff in the workspace (issue 21): `/gebruikers` for a logged-in P&O adviser,
the activation link where a person chooses their own password, and "Controleer de keten" on
/audit; on SQLite and PostgreSQL, through the real web app and a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from poflow.audit_chain import seal
from poflow.auth.accounts import add_login, login_of
from poflow.db.base import utcnow
from poflow.db.models import AuditEntry, Outbox
from poflow.links import ActionLink
from poflow.web import create_app
from poflow.web.identity import SESSION_COOKIE
from tests.recruitment.support import (
    MT_MAIL,
    click,
    import_example_staff,
    mail_to,
    round_at_terms,
    tokens,
)
from tests.reliability.test_tamper import _without_triggers
from tests.web.support import FORGED, add_person, csrf_of, heading, login_as, snapshot

PO, OTHER_PO, NEW = "HB-9101", "HB-9102", "HB-9103"
NEW_MAIL = "sanne.jansen@hardenberg.example.nl"
CHOSEN = "mijn eigen lange wachtzin"  # what the person types on the activation page
LINK = re.compile(r"https?://[^\s\"<>]+(/a/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def people(runtime: Any) -> Any:
    """Two P&O advisers and a colleague without a login, all of Hardenberg."""
    add_person(runtime, PO, ["po_adviseur"], "Noor", "Visser")
    add_person(runtime, OTHER_PO, ["po_adviseur"], "Femke", "Bos")
    add_person(runtime, NEW, [], "Sanne", "Jansen")
    return runtime


@pytest.fixture
def web(people: Any) -> Iterator[TestClient]:
    """The web app, logged in as the P&O adviser Noor Visser."""
    with TestClient(create_app(people.settings)) as client:
        login_as(client, people, PO)
        yield client


@pytest.fixture
def anonymous(people: Any) -> Iterator[TestClient]:
    """A browser without a session: the person who got the activation mail."""
    with TestClient(create_app(people.settings)) as client:
        yield client


def page_csrf(client: TestClient) -> str:
    """The CSRF value of /gebruikers' forms."""
    page = client.get("/gebruikers")
    found = re.search(
        r'action="/gebruikers/[^"]+">\s*<input type="hidden" name="csrf" '
        r'value="([0-9a-f]+)"',
        page.text,
    )
    assert found, "no login form on the page"
    return found.group(1)


def post(client: TestClient, person_id: str, actie: str) -> Any:
    """Press a button on /gebruikers."""
    return client.post(
        f"/gebruikers/{person_id}/{actie}",
        data={"csrf": page_csrf(client)},
        follow_redirects=False,
    )


def activation_mail(smtp: Any, address: str = NEW_MAIL) -> EmailMessage:
    """The latest activation mail to `address`."""
    mails = [m for m in smtp.to(address) if "wachtwoord" in str(m["Subject"])]
    assert mails, smtp.subjects()
    return mails[-1]


def link_of(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.findall(body.get_content())
    assert len(found) == 1, found
    return found[0]


def choose(client: TestClient, link: str, password: str = CHOSEN, app: str = "nee") -> Any:
    """Open the activation page and choose `password` (twice)."""
    page = client.get(link)
    assert page.status_code == 200, heading(page.text)
    return client.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "wachtwoord": password,
            "wachtwoord_nogmaals": password,
            "tweede_stap": app,
        },
    )


def log_in(client: TestClient, person_id: str, password: str, code: str = "") -> int:
    """Log in through /inloggen; the status (303 when it worked)."""
    client.cookies.delete(SESSION_COOKIE)
    page = client.get("/inloggen")
    answer = client.post(
        "/inloggen",
        data={
            "csrf": csrf_of(page.text),
            "personeelsnummer": person_id,
            "wachtwoord": password,
            "code": code,
        },
        follow_redirects=False,
    )
    return answer.status_code


def audits(rt: Any, action: str) -> list[AuditEntry]:
    """The audit rows of `action`, oldest first (the test's own setup, actor "test", left out)."""
    with rt.factory() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
        return [row for row in rows if row.actor != "test"]


class TestActivation:
    """Giving a login sends a link; the person chooses the password there."""

    def test_x_4_the_person_chooses_a_password_by_link_and_then_logs_in(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """The adviser's button mails the person a link; the password chosen there lets them log
        in at /inloggen; the request is audited as the adviser, the activation as the person."""
        before = web.get("/gebruikers")
        assert heading(before.text) == "Inloggen van medewerkers van Gemeente Hardenberg"
        assert "Geen inlog" in before.text
        answer = post(web, NEW, "activeren")
        assert answer.status_code == 303
        done = web.get(answer.headers["location"])
        assert "Sanne Jansen krijgt een mail om een wachtwoord te kiezen" in done.text
        assert "Activatiemail verstuurd" in done.text
        link = link_of(activation_mail(smtp))
        result = choose(anonymous, link)
        assert result.status_code == 200, result.text
        assert heading(result.text) == "Vastgelegd"
        assert "Je wachtwoord is ingesteld" in result.text
        assert log_in(anonymous, NEW, CHOSEN) == 303
        [sent] = audits(people, "login.activation_sent")
        assert (sent.actor, sent.entity_id, sent.detail["kind"]) == (PO, NEW, "add")
        [added] = audits(people, "login.added")
        assert (added.actor, added.entity_id) == (NEW, NEW)
        assert "Eigen wachtwoord" in web.get("/gebruikers").text

    def test_the_adviser_never_sees_the_password(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """The chosen password is in no page the adviser sees, no mail, no audit row and no
        outbox row; the page offers no password field at all."""
        post(web, NEW, "activeren")
        choose(anonymous, link_of(activation_mail(smtp)))
        page = web.get("/gebruikers").text
        assert CHOSEN not in page
        assert 'type="password"' not in page
        assert all(CHOSEN not in m.as_string() for m in smtp.messages)
        dump = repr(snapshot(people))
        assert CHOSEN not in dump
        with people.factory() as s:
            login = login_of(s, NEW)
            assert login is not None
            assert login.password_hash
            assert CHOSEN not in login.password_hash

    def test_a_person_who_asks_for_a_code_gets_the_secret_once_and_needs_it(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """With "Ja" the page shows the TOTP secret and its otpauth URI once; logging in then
        needs the app's code as well."""
        post(web, NEW, "activeren")
        result = choose(anonymous, link_of(activation_mail(smtp)), app="ja")
        secret = re.search(r"één keer getoond: ([A-Z2-7]{16,})", result.text)
        assert secret, result.text
        assert "otpauth://totp/" in result.text
        assert log_in(anonymous, NEW, CHOSEN) != 303
        assert log_in(anonymous, NEW, CHOSEN, pyotp.TOTP(secret.group(1)).now()) == 303
        assert "aan" in web.get("/gebruikers").text

    def test_a_short_or_differing_password_is_named_and_changes_nothing(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """A password under 12 characters or typed differently the second time is named by
        field; the link stays usable and no login is made."""
        post(web, NEW, "activeren")
        link = link_of(activation_mail(smtp))
        page = anonymous.get(link)
        short = anonymous.post(
            link,
            data={
                "csrf": csrf_of(page.text),
                "wachtwoord": "kort",
                "wachtwoord_nogmaals": "kort",
                "tweede_stap": "nee",
            },
        )
        assert short.status_code == 422
        assert "gebruik minstens 12 tekens" in short.text
        assert 'value="kort"' not in short.text
        differ = anonymous.post(
            link,
            data={
                "csrf": csrf_of(page.text),
                "wachtwoord": CHOSEN,
                "wachtwoord_nogmaals": CHOSEN + "x",
                "tweede_stap": "nee",
            },
        )
        assert differ.status_code == 422
        assert "niet hetzelfde wachtwoord" in differ.text
        with people.factory() as s:
            assert login_of(s, NEW) is None
        assert choose(anonymous, link).status_code == 200


class TestLinkRefusals:
    """The activation link works once, for 24 hours, and only as poflow made it."""

    def test_a_used_link_is_refused(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """A second use of the link is refused and the password stays the first one."""
        post(web, NEW, "activeren")
        link = link_of(activation_mail(smtp))
        choose(anonymous, link)
        again = anonymous.get(link)
        assert again.status_code == 410
        assert log_in(anonymous, NEW, CHOSEN) == 303

    def test_an_expired_link_is_refused(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """The link lives 24 hours; after that it is refused and nothing is set."""
        post(web, NEW, "activeren")
        link = link_of(activation_mail(smtp))
        with people.factory() as s, s.begin():
            row = s.scalars(select(ActionLink).where(ActionLink.action == "login.activeren")).one()
            assert timedelta(hours=23) < row.expires_at - row.created_at <= timedelta(hours=24)
            s.execute(
                update(ActionLink)
                .where(ActionLink.id == row.id)
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
        assert anonymous.get(link).status_code == 410
        with people.factory() as s:
            assert login_of(s, NEW) is None

    def test_a_forged_or_replaced_link_is_refused(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """A token poflow did not make is refused; a newer activation mail revokes the older."""
        assert anonymous.get(f"/a/{FORGED}").status_code == 400
        post(web, NEW, "activeren")
        first = link_of(activation_mail(smtp))
        post(web, NEW, "activeren")
        second = link_of(activation_mail(smtp))
        assert first != second
        old = anonymous.get(first)
        assert old.status_code == 410
        assert "nieuwere mail" in old.text
        altered = second[:-3] + ("abc" if not second.endswith("abc") else "xyz")
        assert anonymous.get(altered).status_code == 400
        assert choose(anonymous, second).status_code == 200


class TestChanges:
    """Reset, disable and unlock; and what the page refuses."""

    def test_own_login_is_refused_and_audited(self, people: Any, web: TestClient, smtp: Any):
        """A P&O adviser cannot give, reset or disable their own login here (a colleague does):
        refused in Dutch, audited, nothing mailed or changed."""
        page = web.get("/gebruikers").text
        assert "Je eigen inlog: vraag een collega." in page
        before = smtp.subjects()
        for actie in ("activeren", "uitschakelen"):
            answer = post(web, PO, actie)
            assert answer.status_code == 403
            assert "vraag een collega" in answer.text
        assert smtp.subjects() == before
        with people.factory() as s:
            login = login_of(s, PO)
            assert login is not None
            assert login.disabled_at is None
        refusals = audits(people, "login.change_refused")
        assert [(a.actor, a.entity_id) for a in refusals] == [(PO, PO), (PO, PO)]
        assert audits(people, "login.activation_sent") == []

    def test_a_disabled_login_cannot_log_in(
        self, people: Any, web: TestClient, anonymous: TestClient
    ):
        """ "Uitschakelen" ends the person's login: their password no longer lets them in."""
        with people.factory() as s, s.begin():
            add_login(s, OTHER_PO, CHOSEN, totp=False, actor="test")
        assert log_in(anonymous, OTHER_PO, CHOSEN) == 303
        assert post(web, OTHER_PO, "uitschakelen").status_code == 303
        assert log_in(anonymous, OTHER_PO, CHOSEN) != 303
        assert "Uitgeschakeld sinds" in web.get("/gebruikers").text
        [off] = audits(people, "login.disabled")
        assert (off.actor, off.entity_id) == (PO, OTHER_PO)

    def test_a_reset_keeps_the_old_password_until_the_new_one_is_chosen(
        self, people: Any, web: TestClient, anonymous: TestClient, smtp: Any
    ):
        """A reset mails a link; the old password works until the person chooses a new one,
        and then only the new one does."""
        with people.factory() as s, s.begin():
            add_login(s, NEW, "het oude wachtwoord", totp=False, actor="test")
        assert post(web, NEW, "activeren").status_code == 303
        mail = activation_mail(smtp)
        assert "nieuw wachtwoord" in str(mail["Subject"])
        assert log_in(anonymous, NEW, "het oude wachtwoord") == 303
        choose(anonymous, link_of(mail))
        assert log_in(anonymous, NEW, "het oude wachtwoord") != 303
        assert log_in(anonymous, NEW, CHOSEN) == 303
        [reset] = audits(people, "login.reset")
        assert reset.actor == NEW

    def test_a_lockout_ends_by_the_button(self, people: Any, web: TestClient):
        """A locked login shows until when; "Blokkade opheffen" ends it, audited."""
        with people.factory() as s, s.begin():
            add_login(s, NEW, CHOSEN, totp=False, actor="test")
            login = login_of(s, NEW)
            assert login is not None
            login.locked_until = utcnow() + timedelta(minutes=10)
        assert "Geblokkeerd tot" in web.get("/gebruikers").text
        assert post(web, NEW, "deblokkeren").status_code == 303
        with people.factory() as s:
            login = login_of(s, NEW)
            assert login is not None
            assert login.locked_until is None
        [unlocked] = audits(people, "login.unlocked")
        assert unlocked.actor == PO

    def test_an_oidc_login_is_shown_but_not_changed(self, people: Any, web: TestClient):
        """An OIDC login is listed as such without buttons; a posted change is refused."""
        with people.factory() as s, s.begin():
            s.execute(
                text(
                    "INSERT INTO login (person_id, municipality, method, subject, failed_attempts,"
                    " created_at, updated_at) VALUES (:p, 'hardenberg', 'oidc', 'sub-1', 0,"
                    " :now, :now)"
                ),
                {"p": NEW, "now": utcnow()},
            )
        assert "Via de organisatie (OIDC)" in web.get("/gebruikers").text
        assert post(web, NEW, "activeren").status_code == 403
        assert post(web, NEW, "uitschakelen").status_code == 403

    def test_a_colleague_without_the_role_is_refused(self, people: Any):
        """Someone who is not a P&O adviser gets the Dutch refusal (403), not the list."""
        with TestClient(create_app(people.settings)) as client:
            login_as(client, people, NEW)
            page = client.get("/gebruikers")
            assert page.status_code == 403
            assert "Inloggen van medewerkers" not in page.text
            assert client.get("/audit/controle").status_code == 403


class TestAuditCheck:
    """'Controleer de keten' on /audit."""

    def test_x_4_the_check_says_intact_then_names_the_changed_row(
        self, people: Any, web: TestClient
    ):
        """On an intact chain the page says so; after a sealed row is changed past the trigger
        it names that row first, as `poflow audit verify` does, and writes nothing itself."""
        assert 'action="/audit/controle"' in web.get("/audit").text
        seal(people.factory)
        good = web.get("/audit/controle")
        assert good.status_code == 200
        assert heading(good.text) == "Controle van de auditketen van Gemeente Hardenberg"
        assert "In orde: de keten is intact." in good.text
        with people.factory() as s:
            target = s.scalar(
                select(AuditEntry.id)
                .where(AuditEntry.municipality == "hardenberg", AuditEntry.seq.is_not(None))
                .order_by(AuditEntry.seq)
                .limit(1)
            )
        with _without_triggers(people) as s:
            s.execute(text("UPDATE audit SET actor = 'HB-0099' WHERE id = :id"), {"id": target})
        before = snapshot(people)
        bad = web.get("/audit/controle")
        assert "Niet in orde" in bad.text
        assert f"Eerste afwijking: De auditregel {target} (plaats" in bad.text
        assert "is gewijzigd" in bad.text
        after = snapshot(people)
        for table in ("login_session",):  # the page view touches the session's last use
            after.pop(table), before.pop(table)
        assert after == before


def test_rec_9_a_login_given_to_an_asked_person_asks_them_again(runtime: Any, smtp: Any):
    """Sending an asked leidinggevende an activation from /gebruikers voids the decision link
    already mailed and asks them again at their own address, as `poflow users reset` does."""
    import_example_staff(runtime)
    round_at_terms(runtime, smtp)
    old = tokens(mail_to(smtp, MT_MAIL, "Arbeidsvoorwaardengesprek"))[0]
    with runtime.factory() as s, s.begin():
        add_login(s, "HB-0004", "een oud wachtwoord van dirk", totp=False, actor="test")
    with TestClient(create_app(runtime.settings)) as client:
        login_as(client, runtime, "HB-0002")
        assert post(client, "HB-0004", "activeren").status_code == 303
    assert click(runtime, old, besluit="akkoord").template == "refused.html"
    told = mail_to(smtp, MT_MAIL, "Je gegevens zijn gewijzigd")
    assert "de inlog" in told.get_body(("plain",)).get_content()
    assert len(audits(runtime, "approval.reasked")) == 1
    with runtime.factory() as s:
        queued = s.scalars(select(Outbox).where(Outbox.state != "sent")).all()
    assert queued == []  # the activation and the new question went out at once
