"""The bad-input corpus: malformed imports, CLI arguments, config files, templates and link
requests, each with the words its error must contain (run by test_bad_input.py beside it)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from poflow._exceptions import PoflowError
from poflow.web.identity import SESSION_COOKIE
from tests.conftest import EXAMPLES
from tests.web.support import csrf_of

__all__ = ["CASES", "Case", "CliFailed", "Refused", "set_link_token"]


HIRE_COLUMNS = (
    "hire_id",
    "given_name",
    "family_name",
    "private_email",
    "work_email",
    "team",
    "function",
    "manager_id",
    "buddy_id",
    "contract_type",
    "contract_months",
    "start_date",
    "municipality",
)


def _hire_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "hires.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _staff_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "staff.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] | tuple[str, ...]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass(frozen=True)
class Case:
    """One malformed input: how to make it and try it, and words the error must contain."""

    area: str
    name: str
    attempt: Callable[[Any, Path], Any]
    expect: tuple[str, ...]


# -- imports ------------------------------------------------------------------------------------
def _import(kind: str, path: Path, rt: Any) -> None:
    from poflow.importer import import_hires, import_staff

    fn = import_hires if kind == "hires" else import_staff
    with rt.factory() as session, session.begin():
        fn(session, path, rt.configs)


def hire_with(new_id: str = "NH-2027-101", **change: str) -> Callable[[Any, Path], Any]:
    """A hires file with the examples plus one new hire whose fields are changed as given."""

    def attempt(rt: Any, tmp: Path) -> None:
        rows = _hire_rows()
        extra = {**rows[0], "hire_id": new_id, **change}
        _import("hires", _write(tmp / "hires.csv", [*rows, extra], HIRE_COLUMNS), rt)

    return attempt


def hires_file(
    mutate: Callable[[list[dict[str, str]], list[str]], Any], *, suffix: str = ".csv"
) -> Callable[[Any, Path], Any]:
    """A hires file built from the examples with `mutate(rows, columns)` applied."""

    def attempt(rt: Any, tmp: Path) -> None:
        rows, columns = _hire_rows(), list(HIRE_COLUMNS)
        mutate(rows, columns)
        _import("hires", _write(tmp / f"hires{suffix}", rows, columns), rt)

    return attempt


def raw_file(kind: str, name: str, content: bytes) -> Callable[[Any, Path], Any]:
    """An import file with exactly these bytes."""

    def attempt(rt: Any, tmp: Path) -> None:
        (tmp / name).write_bytes(content)
        _import(kind, tmp / name, rt)

    return attempt


def xlsx_hires(change: dict[str, Any]) -> Callable[[Any, Path], Any]:
    """An .xlsx hires file with one new hire changed as given."""

    def attempt(rt: Any, tmp: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(HIRE_COLUMNS))
        row = {**_hire_rows()[0], "hire_id": "NH-2027-102", **change}
        sheet.append([row[c] for c in HIRE_COLUMNS])
        book.save(tmp / "hires.xlsx")
        _import("hires", tmp / "hires.xlsx", rt)

    return attempt


def staff_with(**change: str) -> Callable[[Any, Path], Any]:
    """A staff file with the examples plus one new person changed as given."""

    def attempt(rt: Any, tmp: Path) -> None:
        rows = _staff_rows()
        extra = {
            **rows[-1],
            "employee_id": "HB-0101",
            "email": "nieuw.persoon@example.nl",
            **change,
        }
        _import("staff", _write(tmp / "staff.csv", [*rows, extra], list(rows[0])), rt)

    return attempt


def _dup_id(rows: list[dict[str, str]], _cols: list[str]) -> None:
    rows.append(dict(rows[0]))


def _drop_column(rows: list[dict[str, str]], cols: list[str]) -> None:
    cols.remove("start_date")


def _extra_column(rows: list[dict[str, str]], cols: list[str]) -> None:
    cols.append("salaris")
    for r in rows:
        r["salaris"] = "4000"


IMPORTS = [
    Case("import", "impossible start date", hire_with(start_date="2027-02-30"), ("start_date",)),
    Case("import", "start date with slashes", hire_with(start_date="01/02/2027"), ("start_date",)),
    Case(  # Dutch day-month-year is read (issue 22, item 16); a Saturday is still refused
        "import", "start date on a Saturday", hire_with(start_date="6-2-2027"), ("start_date",)
    ),
    Case(
        "import", "unknown contract type", hire_with(contract_type="freelance"), ("contract_type",)
    ),
    Case(
        "import",
        "contract months not a number",
        hire_with(contract_months="twaalf"),
        ("contract_months",),
    ),
    Case(
        "import", "negative contract months", hire_with(contract_months="-3"), ("contract_months",)
    ),
    Case("import", "unknown manager", hire_with(manager_id="HB-9999"), ("manager_id",)),
    Case("import", "unknown buddy", hire_with(buddy_id="HB-9998"), ("buddy_id",)),
    Case("import", "unknown municipality", hire_with(municipality="amsterdam"), ("municipality",)),
    Case(
        "import",
        "private email without @",
        hire_with(private_email="lotte.example.org"),
        ("private_email",),
    ),
    Case("import", "work email with two @", hire_with(work_email="a@@example.nl"), ("work_email",)),
    Case("import", "empty hire id", hire_with(new_id=""), ("hire_id",)),
    Case("import", "empty given name", hire_with(given_name=""), ("given_name",)),
    Case(
        "import",
        "SQL injection as hire id",
        hire_with(new_id="NH-1'; DROP TABLE hire;--"),
        ("hire_id",),
    ),
    Case("import", "overlong family name", hire_with(family_name="x" * 5000), ("family_name",)),
    Case("import", "duplicate hire id in one file", hires_file(_dup_id), ("NH-2027-001",)),
    Case("import", "missing column", hires_file(_drop_column), ("start_date",)),
    Case("import", "unknown extra column", hires_file(_extra_column), ("salaris",)),
    Case("import", "empty file", raw_file("hires", "leeg.csv", b""), ("empty",)),
    Case(
        "import",
        "not UTF-8",
        raw_file("hires", "latin1.csv", ",".join(HIRE_COLUMNS).encode() + b"\nNH-1,J\xe9r\xf4me"),
        ("UTF-8",),
    ),
    Case(
        "import",
        "garbage named .xlsx",
        raw_file("hires", "kapot.xlsx", b"PK\x03\x04 broken"),
        ("xlsx",),
    ),
    Case("import", "xlsx with a text date", xlsx_hires({"start_date": "morgen"}), ("start_date",)),
    Case(
        "import",
        "file that does not exist",
        lambda rt, tmp: _import("hires", tmp / "bestaat-niet.csv", rt),
        ("does not exist",),
    ),
    Case("import", "staff with unknown role", staff_with(roles="medewerker;koning"), ("roles",)),
    Case("import", "staff with bad email", staff_with(email="geen-adres"), ("email",)),
    Case(
        "import",
        "staff in unknown municipality",
        staff_with(municipality="atlantis"),
        ("municipality",),
    ),
    # Issue 23: ways poison mail came in, and an item-4 traceback.
    Case("import", "contract months '²'", hire_with(contract_months="²"), ("contract_months",)),
    Case("import", "hire id equal to a staff id", hire_with(new_id="HB-0004"), ("hire_id",)),
    Case(
        "import",
        "non-ASCII local part (SMTPUTF8 off)",
        hire_with(private_email="éva@example.org"),
        ("private_email", "SMTPUTF8"),
    ),
    Case(
        "import",
        "look-alike domain",
        hire_with(work_email="a@gemeente-hardenbеrg.nl"),
        ("work_email", "look-alike"),
    ),
    Case(
        "import",
        "two addresses in one field",
        hire_with(work_email="a@x.nl, evil@evil.example"),
        ("work_email",),
    ),
    Case(
        "import",
        "CR/LF in a name",
        hire_with(given_name="Eva\r\nBcc: x@evil.example"),
        ("given_name", "control"),
    ),
    Case(
        "import",
        "RTL override in a name",
        hire_with(family_name="Bakker\u202etxt.exe"),
        ("family_name", "bidi"),
    ),
    Case("import", "C1 control in a team", staff_with(team="Ruim\x85te"), ("team", "C1")),
    Case(
        "import", "zero-width space in a name", staff_with(given_name="An\u200bne"), ("zero-width",)
    ),
]


# -- CLI arguments ------------------------------------------------------------------------------
def cli(*args: str) -> Callable[[Any, Path], Any]:
    """Run `poflow <args>` through Typer's CliRunner; raise what it raised or printed."""

    def attempt(_rt: Any, _tmp: Path) -> None:
        from typer.testing import CliRunner

        from poflow.cli import app

        result = CliRunner().invoke(app, list(args))
        if isinstance(result.exception, PoflowError):
            raise result.exception
        if result.exit_code != 0:
            raise CliFailed(result.output)

    return attempt


class CliFailed(Exception):
    """The command exited non-zero with this output."""


CLIS = [
    Case("cli", "tick with month 13", cli("tick", "--date", "2027-13-01"), ("--date",)),
    Case(
        "cli",
        "tick with a word as date",
        cli("tick", "--date", "gisteren"),
        ("--date", "YYYY-MM-DD"),
    ),
    Case(
        "cli",
        "tick --until before --date",
        cli("tick", "--date", "2027-01-10", "--until", "2027-01-01"),
        ("--until",),
    ),
    Case(
        "cli",
        "tick for an unknown municipality",
        cli("tick", "--date", "2027-01-04", "--municipality", "nergenshuizen"),
        ("nergenshuizen",),
    ),
    Case(
        "cli",
        "tick with a shell injection as date",
        cli("tick", "--date", "2027-01-04; rm -rf /"),
        ("--date",),
    ),
    Case(
        "cli",
        "check-in month that does not exist",
        cli("checkin", "held", "NH-2027-001", "2"),
        ("no check-in at 2",),
    ),
    Case(
        "cli",
        "check-in of an unknown hire",
        cli("checkin", "held", "NH-9999-999", "1"),
        ("NH-9999-999",),
    ),
    Case(
        "cli", "check-in month as a word", cli("checkin", "held", "NH-2027-001", "een"), ("MONTH",)
    ),
    Case(
        "cli",
        "move to 31 February",
        cli("hire", "move", "NH-2027-001", "--start-date", "2027-02-31"),
        ("--start-date",),
    ),
    Case(
        "cli",
        "move an unknown hire",
        cli("hire", "move", "NH-0000-000", "--start-date", "2027-03-01"),
        ("NH-0000-000",),
    ),
    Case("cli", "cancel an unknown hire", cli("hire", "cancel", "NH-0000-001"), ("NH-0000-001",)),
    Case(
        "cli",
        "import a missing file",
        cli("import", "hires", "/nonexistent/hires.csv"),
        ("does not exist",),
    ),
    Case("cli", "unknown command", cli("ontsla", "NH-2027-001"), ("ontsla",)),
    Case(
        "cli",
        "terms with a second address in --work-email",
        cli(
            "recruitment",
            "terms",
            "WR-2027-0001",
            "--start-date",
            "2027-05-03",
            "--contract",
            "tijdelijk",
            "--work-email",
            "a@x.nl, evil@evil.example",
        ),
        ("--work-email",),
    ),
    Case(
        "cli",
        "candidate with 'not-an-email'",
        cli(
            "recruitment",
            "candidates",
            "WR-2027-0001",
            "--given-name",
            "Kim",
            "--family-name",
            "Testpersoon",
            "--email",
            "not-an-email",
            "--tier",
            "2",
        ),
        ("--email",),
    ),
    Case("cli", "retry of mail that is not parked", cli("mail", "retry", "999999"), ("999999",)),
]


# -- config files -------------------------------------------------------------------------------
def config_with(file: str, content: str | None) -> Callable[[Any, Path], Any]:
    """A copy of config/ with hardenberg's `file` replaced by `content` (None: removed)."""

    def attempt(rt: Any, tmp: Path) -> None:
        from poflow.config import load_all
        from poflow.runtime import config_sections

        folder = tmp / "config"
        shutil.copytree(rt.settings.config_dir, folder)
        target = folder / "hardenberg" / file
        if content is None:
            target.unlink()
        else:
            target.write_text(content, encoding="utf-8")
        load_all(folder, config_sections())

    return attempt


def config_patch(file: str, old: str, new: str) -> Callable[[Any, Path], Any]:
    """hardenberg's `file` with the first `old` replaced by `new`."""

    def attempt(rt: Any, tmp: Path) -> None:
        text = (rt.settings.config_dir / "hardenberg" / file).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        config_with(file, text.replace(old, new, 1))(rt, tmp)

    return attempt


MONTHS = "months_after_start: [1, 3, 8]"
CONFIGS = [
    Case(
        "config",
        "invalid YAML",
        config_with("municipality.yaml", "naam: [niet afgesloten\n"),
        ("municipality.yaml", "YAML"),
    ),
    Case(
        "config",
        "section file missing",
        config_with("checkins.yaml", None),
        ("checkins.yaml", "missing"),
    ),
    Case(
        "config",
        "a list instead of a mapping",
        config_with("links.yaml", "- 14\n- 30\n"),
        ("links.yaml", "mapping"),
    ),
    Case(
        "config",
        "link expiry zero",
        config_with("links.yaml", "default_expires_days: 0\n"),
        ("links.yaml", "default_expires_days"),
    ),
    Case(
        "config",
        "unknown key (typo)",
        config_with("links.yaml", "default_expires_days: 14\nexpire_days: {}\n"),
        ("links.yaml", "expire_days"),
    ),
    Case(
        "config",
        "check-in months not increasing",
        config_patch("checkins.yaml", MONTHS, "months_after_start: [8, 3, 1]"),
        ("checkins.yaml", "months"),
    ),
    Case(
        "config",
        "check-in months as words",
        config_patch("checkins.yaml", MONTHS, "months_after_start: [een, drie]"),
        ("checkins.yaml", "months"),
    ),
]


# -- templates ----------------------------------------------------------------------------------
def render(template: str, context: dict[str, Any]) -> Callable[[Any, Path], Any]:
    """Render a mail template with `context`."""

    def attempt(rt: Any, _tmp: Path) -> None:
        from poflow.mail.render import render_mail

        render_mail(rt.settings.templates_dir, template, context)

    return attempt


def render_custom(txt: str) -> Callable[[Any, Path], Any]:
    """Render a template pair written for the test."""

    def attempt(rt: Any, tmp: Path) -> None:
        from poflow.mail.render import render_mail

        (tmp / "t" / "mail").mkdir(parents=True)
        (tmp / "t" / "mail" / "x.txt").write_text(txt, encoding="utf-8")
        (tmp / "t" / "mail" / "x.html").write_text("<p>{{ naam }}</p>", encoding="utf-8")
        render_mail(tmp / "t", "x", {"naam": "A"})

    return attempt


TEMPLATES = [
    Case(
        "template",
        "invitation without any variable",
        render("checkins/uitnodiging", {}),
        ("checkins/uitnodiging", "undefined"),
    ),
    Case(
        "template",
        "approval request without its link",
        render("approvals/approval_request", {"titel": "T", "rol": "P&O", "rollen": ["a", "b"]}),
        ("approvals/approval_request",),
    ),
    Case(
        "template",
        "template that does not exist",
        render("ontslagbrief", {}),
        ("ontslagbrief", "not found"),
    ),
    Case(
        "template",
        "text part without a subject block",
        render_custom("Hallo {{ naam }}"),
        ("subject",),
    ),
    Case(
        "template",
        "variable misspelled in a template",
        render_custom("{% block subject %}Hoi{% endblock %}{{ naaam }}"),
        ("naaam",),
    ),
]


# -- action-link requests -----------------------------------------------------------------------
def _checkin_link(rt: Any) -> str:
    """A fresh "check-in held" link of Dirk for NH-2027-001's first talk (token only)."""
    from sqlalchemy import select

    from poflow.db.models import Step
    from poflow.links import mint_link

    cfg = rt.config("hardenberg")
    rt.plan(cfg.slug, date(2027, 1, 4))
    with rt.factory() as session, session.begin():
        step = session.scalars(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()
        return mint_link(
            session,
            secret=rt.settings.signing_keys(),
            action="checkin.held",
            municipality="hardenberg",
            case_type="hire",
            case_id="NH-2027-001",
            subject_id="HB-0004",
            step_id=step.id,
        )


_TOKEN: dict[str, str] = {}  # the link of the running case (set by the test)


class Refused(Exception):
    """The web app answered a request with this refusal status and page."""


def web(how: str, **kw: Any) -> Callable[[Any, Path], Any]:
    """A request to the link pages; an answer other than 2xx becomes Refused(status, text)."""

    def attempt(rt: Any, _tmp: Path) -> None:
        from fastapi.testclient import TestClient

        from poflow.web import create_app

        token = _TOKEN.get("checkin")
        with TestClient(create_app(rt.settings), raise_server_exceptions=False) as client:
            client.cookies.set(SESSION_COOKIE, _TOKEN["session"])  # the manager, logged in
            path = kw.get("path") or f"/a/{token}"
            if how == "get":
                answer = client.get(path)
            else:
                page = client.get(f"/a/{token}")
                form = {"csrf": csrf_of(page.text), **kw.get("form", {})}
                if kw.get("raw") is not None:
                    answer = client.post(
                        path,
                        content=kw["raw"],
                        headers={"content-type": "application/x-www-form-urlencoded"},
                    )
                else:
                    answer = client.post(path, data=form)
            if answer.status_code >= 400:
                raise Refused(f"{answer.status_code} {answer.text}")

    return attempt


LONG = "x" * 20_000
LINKS = [
    Case("link", "token that is not a token", web("get", path="/a/abc"), ("400", "niet geldig")),
    Case("link", "SQL injection as token", web("get", path="/a/' OR 1=1 --"), ("40",)),
    Case("link", "overlong token", web("get", path=f"/a/{LONG}"), ("40",)),
    Case("link", "path traversal", web("get", path="/a/..%2F..%2Fetc%2Fpasswd"), ("40",)),
    Case("link", "unknown page", web("get", path="/admin"), ("404",)),
    Case(
        "link",
        "note longer than 2000 characters",
        web("post", form={"notitie": "a" * 2001}),
        ("422", "2000"),
    ),
    Case(
        "link",
        "note with control characters",
        web("post", form={"notitie": "hoi\x00\x1b[31m"}),
        ("422", "tekens"),
    ),
    Case(
        "link",
        "note sent twice",
        web("post", raw=None, form={"notitie": ["een", "twee"]}),
        ("422", "meer dan eens"),
    ),
    Case("link", "body over 64 KiB", web("post", form={"notitie": "a" * 70_000}), ("413",)),
    Case("link", "post without CSRF value", web("post", raw=b"notitie=hoi"), ("403",)),
]

CASES = [*IMPORTS, *CLIS, *CONFIGS, *TEMPLATES, *LINKS]


def set_link_token(rt: Any) -> None:
    """Mint the link the link cases use, for the test's database, and log its person (the
    hire's manager; the check-in needs the login) in: the session's cookie value."""
    from poflow.auth.accounts import add_login
    from poflow.auth.sessions import start_session
    from poflow.db.base import utcnow
    from poflow.db.models import Hire

    _TOKEN["checkin"] = _checkin_link(rt)
    with rt.factory() as session, session.begin():
        hire = session.get(Hire, "NH-2027-001")
        assert hire is not None
        add_login(session, hire.manager_id, "een-lang-testwachtwoord", totp=False, actor="test")
        _TOKEN["session"] = start_session(session, hire.manager_id, "local", utcnow())
