"""A hire's actions in the workspace (issue 21, WS-ACTIONS): a P&O adviser moves a start date
after a preview, cancels with a reason, marks an item done on behalf and changes the buddy or
leidinggevende; on SQLite and PostgreSQL, with the real SMTP sink."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.models import AuditEntry, Hire, Person, Step
from poflow.kernel.calendar import today
from poflow.kernel.wording import date_nl
from poflow.states import HireState, StepState
from poflow.web import create_app
from tests.support import ics_of
from tests.web.actions_support import (
    NOOR,
    csrf_of,
    dmy,
    later_working_day,
    noor_starts_soon,
    open_item_of,
    saturday_after,
    told_by_today,
)
from tests.web.support import add_person, heading, login_as
from tests.web.support import snapshot as every_row


@pytest.fixture
def told(example_data: Any, smtp: Any) -> Any:
    """Noor starts in a few working days and today's pass has welcomed and invited her."""
    noor_starts_soon(example_data)
    smtp.messages.clear()
    return example_data


@pytest.fixture
def client(told: Any) -> Iterator[TestClient]:
    with TestClient(create_app(told.settings)) as c:
        login_as(c, told, "HB-0002")  # Bram de Wit, P&O adviser of Hardenberg
        yield c


def snapshot(rt: Any) -> dict[str, Any]:
    """Every row of the case tables (not the login's session, which a request touches)."""
    return {
        k: v for k, v in every_row(rt).items() if k in ("hire", "step", "action", "outbox", "audit")
    }


def _audit(rt: Any, action: str) -> list[AuditEntry]:
    with rt.factory() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _hire(rt: Any, hire_id: str = NOOR) -> Hire:
    with rt.factory() as db:
        hire = db.get(Hire, hire_id)
        assert hire is not None
        db.expunge(hire)
        return hire


def test_onb_5_the_move_preview_is_a_dry_run_and_the_confirm_tells_everyone_today(
    told: Any, client: TestClient, smtp: Any
):
    """The preview lists the moving items and who hears it without changing anything; the
    confirmation moves the hire with move_hire, audited as the adviser, and the notices go
    out the same day (ONB-5, X-4)."""
    url = f"/medewerkers/{NOOR}/verplaatsen"
    page = client.get(url)
    assert page.status_code == 200
    assert heading(page.text) == "Startdatum van Noor Bakker verplaatsen"
    before = snapshot(told)
    new = later_working_day(told, _hire(told).start_date)
    preview = client.post(url, data={"csrf": csrf_of(page.text), "datum": dmy(new)})
    assert preview.status_code == 200, heading(preview.text)
    for part in (
        "Wat er verandert",
        "Wie het vandaag hoort",
        "esra.yilmaz@hardenberg",
        date_nl(new),
    ):
        assert part in preview.text, part
    assert snapshot(told) == before
    assert not smtp.messages
    done = client.post(
        url,
        data={"csrf": csrf_of(preview.text), "datum": dmy(new), "stap": "bevestigen"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/medewerkers/{NOOR}?gedaan=verplaatst",
    )
    assert _hire(told).start_date == new
    told_by_today(told)
    assert "De startdatum is verplaatst" in client.get(done.headers["location"]).text
    (moved,) = _audit(told, "hire.moved")
    assert moved.actor == "HB-0002"
    told_to = {str(m["To"]) for m in smtp.messages if "Gewijzigd" in str(m["Subject"])}
    assert any("esra.yilmaz" in t for t in told_to)
    assert any("noor.bakker" in t for t in told_to)


@pytest.mark.parametrize(
    ("datum", "fout"),
    [
        (lambda: "", "Vul de nieuwe startdatum in"),
        (lambda: "32-1-2027", "geen datum"),
        (lambda: dmy(saturday_after(today() + timedelta(days=30))), "geen werkdag"),
        (lambda: dmy(today() - timedelta(days=7)), "in het verleden"),
    ],
)
def test_onb_5_a_bad_date_gets_the_form_again_and_changes_nothing(
    told: Any, client: TestClient, datum: Any, fout: str
):
    """An empty, unreadable, non-working or past date is refused per field in Dutch, as
    `poflow hire move` refuses it; nothing changes."""
    url = f"/medewerkers/{NOOR}/verplaatsen"
    before = snapshot(told)
    answer = client.post(url, data={"csrf": csrf_of(client.get(url).text), "datum": datum()})
    assert answer.status_code == 422
    assert fout in answer.text
    assert 'href="#veld-datum"' in answer.text
    assert snapshot(told) == before


def test_onb_5_a_saturday_is_moved_to_when_explicitly_allowed(told: Any, client: TestClient):
    """The allowance of `--allow-non-working-day` is a checkbox: then the Saturday is taken."""
    url = f"/medewerkers/{NOOR}/verplaatsen"
    saturday = saturday_after(today() + timedelta(days=30))
    form = {"csrf": csrf_of(client.get(url).text), "datum": str(saturday), "vrije_dag": "ja"}
    done = client.post(url, data={**form, "stap": "bevestigen"}, follow_redirects=False)
    assert done.status_code == 303
    assert _hire(told).start_date == saturday


def test_onb_5_cancel_lists_what_is_withdrawn_and_needs_a_reason(
    told: Any, client: TestClient, smtp: Any
):
    """The confirmation lists the withdrawn items and who hears it; without a reason nothing
    changes; with one the hire is cancelled, audited with the reason, told today."""
    url = f"/medewerkers/{NOOR}/annuleren"
    page = client.get(url)
    assert page.status_code == 200
    assert "vervalt" in page.text
    assert "noor.bakker" in page.text
    before = snapshot(told)
    empty = client.post(url, data={"csrf": csrf_of(page.text), "reden": " "})
    assert empty.status_code == 422
    assert "Vul de reden in" in empty.text
    assert snapshot(told) == before
    assert not smtp.messages
    done = client.post(
        url, data={"csrf": csrf_of(page.text), "reden": "Trekt zich terug"}, follow_redirects=False
    )
    assert done.headers["location"] == f"/medewerkers/{NOOR}?gedaan=geannuleerd"
    assert _hire(told).state == HireState.CANCELLED
    told_by_today(told)
    (cancelled,) = _audit(told, "hire.cancelled")
    assert (cancelled.actor, cancelled.detail["reason"]) == ("HB-0002", "Trekt zich terug")
    assert any("noor.bakker" in str(m["To"]) for m in smtp.messages)


def test_x_4_an_item_done_on_behalf_is_audited_with_owner_and_reason(told: Any, client: TestClient):
    """The adviser marks an open item done on its owner's behalf with a reason: the step is
    done by the adviser and the audit names the owner and the reason (X-4)."""
    step_id = open_item_of(told, "HB-0004")
    offered = re.findall(r"/items/(\d+)/namens", client.get(f"/medewerkers/{NOOR}").text)
    with told.factory() as db:  # only checklist items are offered, not talks or sessions
        assert {db.get(Step, int(i)).key[:4] for i in offered} == {"onb:"}  # type: ignore[union-attr]
    url = f"/medewerkers/{NOOR}/items/{step_id}/namens"
    page = client.get(url)
    assert page.status_code == 200
    assert "Dirk Mulder" in page.text
    empty = client.post(url, data={"csrf": csrf_of(page.text), "reden": ""})
    assert empty.status_code == 422
    assert "Vul de reden in" in empty.text
    done = client.post(
        url, data={"csrf": csrf_of(page.text), "reden": "Dirk is ziek"}, follow_redirects=False
    )
    assert done.headers["location"] == f"/medewerkers/{NOOR}?gedaan=afgevinkt"
    (row,) = _audit(told, "step.done_on_behalf")
    assert (row.actor, row.detail["on_behalf_of"], row.detail["reason"]) == (
        "HB-0002",
        "HB-0004",
        "Dirk is ziek",
    )
    with told.factory() as db:
        assert db.get(Step, step_id).state == StepState.DONE  # type: ignore[union-attr]


def test_bud_1_a_new_buddy_takes_over_and_both_hear_it(told: Any, client: TestClient, smtp: Any):
    """A colleague of the team becomes the buddy: the old buddy's open items move, the old
    buddy hears who took over and the new buddy is informed as every buddy is (BUD-1)."""
    add_person(told, "HB-9201", ["medewerker"], "Sam", "Vos")
    with told.factory() as db, db.begin():
        db.get(Person, "HB-9201").team = "Ruimtelijk domein"  # type: ignore[union-attr]
    url = f"/medewerkers/{NOOR}/buddy"
    page = client.get(url)
    assert page.status_code == 200
    wrong = client.post(url, data={"csrf": csrf_of(page.text), "persoon": "HB-0007"})
    assert wrong.status_code == 422
    assert "uit het team" in wrong.text
    done = client.post(
        url, data={"csrf": csrf_of(page.text), "persoon": "HB-9201"}, follow_redirects=False
    )
    assert done.status_code == 303, heading(done.text)
    assert _hire(told).buddy_id == "HB-9201"
    assert any("niet langer buddy" in str(m["Subject"]) for m in smtp.to("esra.yilmaz"))
    (row,) = _audit(told, "hire.handover")
    assert (row.actor, row.detail["old"], row.detail["new"]) == ("HB-0002", "HB-0005", "HB-9201")


def test_a_new_leidinggevende_hears_it_and_the_old_one_too(
    told: Any, client: TestClient, smtp: Any
):
    """A leidinggevende of the staff register replaces the old one: both get a mail; someone
    without the role is refused per field and nothing changes."""
    url = f"/medewerkers/{NOOR}/leidinggevende"
    page = client.get(url)
    before = snapshot(told)
    wrong = client.post(url, data={"csrf": csrf_of(page.text), "persoon": "HB-0009"})
    assert wrong.status_code == 422
    assert "rol als leidinggevende" in wrong.text
    assert snapshot(told) == before
    done = client.post(
        url, data={"csrf": csrf_of(page.text), "persoon": "HB-0006"}, follow_redirects=False
    )
    assert done.headers["location"] == f"/medewerkers/{NOOR}?gedaan=leidinggevende"
    assert _hire(told).manager_id == "HB-0006"
    assert any("niet langer" in str(m["Subject"]) for m in smtp.to("dirk.mulder"))
    assert any("nu leidinggevende" in str(m["Subject"]) for m in smtp.to("femke.bos"))


def test_another_municipalitys_hire_is_unknown_and_posts_need_csrf(told: Any, client: TestClient):
    """Another municipality's hire answers 404 as an unknown one; a POST without its CSRF
    value is refused and changes nothing."""
    other = "NH-2027-901"
    with told.factory() as db, db.begin():
        hire = db.get(Hire, NOOR)
        assert hire is not None
        values = {c.key: getattr(hire, c.key) for c in Hire.__table__.columns}
        db.add(Hire(**{**values, "id": other, "municipality": "borger-odoorn"}))
    for path in ("verplaatsen", "annuleren", "buddy", "leidinggevende", "gegevens"):
        assert client.get(f"/medewerkers/{other}/{path}").status_code == 404, path
    before = {k: v for k, v in snapshot(told).items() if k != "audit"}  # refusals are audited
    refused = client.post(f"/medewerkers/{NOOR}/annuleren", data={"reden": "x"})
    assert refused.status_code == 403
    unsigned = client.post(f"/medewerkers/{NOOR}/gegevens", data={"given_name": "X"})
    assert unsigned.status_code == 403
    assert {k: v for k, v in snapshot(told).items() if k != "audit"} == before


def _calendar_mails(messages: list[Any], to: str, about: str) -> dict[str, tuple[str, int, Any]]:
    """Per UID: the METHOD and SEQUENCE of the calendar parts mailed to `to` about `about`."""
    out = {}
    for m in messages:
        ics = ics_of(m)
        if ics is None or to not in str(m["To"]):
            continue
        (event,) = ics.walk("VEVENT")
        if about in str(event["SUMMARY"]):
            out[str(event["UID"])] = (str(ics["METHOD"]), int(event["SEQUENCE"]), m)
    return out


def test_onb_5_a_handover_cancels_the_old_ones_appointments_and_invites_the_new_one(
    example_data: Any, smtp: Any
):
    """In the mails' calendar parts: the old leidinggevende's appointments with the hire are
    cancelled (METHOD:CANCEL, same UID) with a mail saying whom they went to, and the new
    one is invited to the same appointments (same UID, METHOD:REQUEST, a higher SEQUENCE)."""
    noor_starts_soon(example_data)
    invited = _calendar_mails(smtp.messages, "dirk.mulder", "Noor Bakker")
    assert invited
    assert {method for method, _, _ in invited.values()} == {"REQUEST"}
    smtp.messages.clear()
    with TestClient(create_app(example_data.settings)) as c:
        login_as(c, example_data, "HB-0002")
        url = f"/medewerkers/{NOOR}/leidinggevende"
        form = {"csrf": csrf_of(c.get(url).text), "persoon": "HB-0006"}  # Femke Bos
        assert c.post(url, data=form, follow_redirects=False).status_code == 303
    told_by_today(example_data)
    cancelled = _calendar_mails(smtp.messages, "dirk.mulder", "Noor Bakker")
    assert set(cancelled) == set(invited)
    for uid, (method, sequence, mail) in cancelled.items():
        assert method == "CANCEL"
        assert sequence > invited[uid][1]
        assert str(mail["Subject"]).startswith("Overgedragen: ")
        text = mail.get_body(("plain",)).get_content()
        assert "is overgedragen aan Femke Bos" in text
        assert "vervalt" not in text
    new = _calendar_mails(smtp.messages, "femke.bos", "Noor Bakker")
    assert set(new) == set(invited)
    for uid, (method, sequence, _) in new.items():
        assert (method, sequence > invited[uid][1]) == ("REQUEST", True)


def test_x_3_p_and_o_corrects_a_private_address_as_a_corrected_import_row_would(
    told: Any, client: TestClient, smtp: Any
):
    """The correction a new colleague passed on (first-day page) is applied by P&O on the
    hire's page: the hires import's checks refuse a bad address per field and change nothing;
    a good one is stored, audited as the adviser with the field's name only (X-3, X-4)."""
    url = f"/medewerkers/{NOOR}/gegevens"
    assert "Naam of e-mailadres corrigeren" in client.get(f"/medewerkers/{NOOR}").text
    form = client.get(url)
    assert form.status_code == 200
    hire = _hire(told)
    assert f'value="{hire.private_email}"' in form.text
    fields = {
        "given_name": hire.given_name,
        "family_name": hire.family_name,
        "private_email": "geen-adres",
        "work_email": hire.work_email,
    }
    before = snapshot(told)
    answer = client.post(url, data={"csrf": csrf_of(form.text), **fields})
    assert answer.status_code == 422
    assert 'href="#veld-private_email"' in answer.text
    assert snapshot(told) == before
    fields["private_email"] = "noor.nieuw@example.org"
    answer = client.post(url, data={"csrf": csrf_of(form.text), **fields}, follow_redirects=False)
    assert answer.status_code == 303
    assert "De gegevens zijn gewijzigd" in client.get(answer.headers["location"]).text
    assert _hire(told).private_email == "noor.nieuw@example.org"
    [entry] = _audit(told, "hire.updated")
    assert entry.actor == "HB-0002"
    assert entry.detail == {"fields": "private_email"}
    again = client.post(url, data={"csrf": csrf_of(form.text), **fields}, follow_redirects=False)
    assert "Er is niets gewijzigd" in client.get(again.headers["location"]).text
    assert len(_audit(told, "hire.updated")) == 1
