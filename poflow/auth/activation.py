"""The activation link: the person chooses their own password (and optionally an authenticator
app) from a link mailed to their work address, after a P&O adviser gave or reset their login in
the workspace (`poflow.auth.access`). Nobody else sees or sets that password.

The link is link-only (the person has no working login yet), single use and lives 24 hours; the
password is set as the person (`login.added` / `login.reset` with the person as actor, X-4). The
TOTP secret, when asked for, is shown once on the page that follows, never stored elsewhere.
"""

from __future__ import annotations

from typing import Any

import pyotp

from poflow._exceptions import ActionRefused, InputRefused
from poflow.auth.accounts import MIN_PASSWORD_LENGTH, add_login, login_of, reset_login
from poflow.links import ActionLink, FormField, LinkAction

__all__ = ["ACTIVATE", "ACTIVATE_LOGIN", "ACTIVATION_DAYS", "ISSUER", "check_choice"]

ACTIVATE = "login.activeren"
ACTIVATION_DAYS = 1  # 24 hours: a link to set a password should not lie around in a mailbox
ISSUER = "poflow"
MAX_PASSWORD = 256
YES = "ja"


def check_choice(values: dict[str, str]) -> dict[str, str]:
    """The cross-field check of the form: long enough, and the same twice (Dutch, per field)."""
    password, again = values.get("wachtwoord", ""), values.get("wachtwoord_nogmaals", "")
    if len(password) < MIN_PASSWORD_LENGTH:
        return {
            "wachtwoord": f"Nieuw wachtwoord: gebruik minstens {MIN_PASSWORD_LENGTH} tekens "
            f"(dit zijn er {len(password)})."
        }
    if password != again:
        return {"wachtwoord_nogmaals": "Nog een keer: dit is niet hetzelfde wachtwoord."}
    return {}


def _describe(ctx: Any, row: ActionLink) -> str:
    again = (row.data or {}).get("kind") == "reset"
    what = "een nieuw wachtwoord" if again else "je wachtwoord"
    return (
        f"Kies hier {what} voor poflow van {ctx.config.name}. Je logt daarna in met je "
        f"personeelsnummer {row.subject_id} en dit wachtwoord. Niemand anders krijgt het te "
        "zien, ook P&O niet.\n\n"
        f"Gebruik minstens {MIN_PASSWORD_LENGTH} tekens; een zin van een paar woorden is "
        "goed te onthouden. Je personeelsnummer mag het niet zijn.\n\n"
        "Wil je bij het inloggen ook een code uit een authenticator-app invullen? Kies dan 'Ja': "
        "je krijgt na het opslaan één keer de sleutel voor de app te zien."
    )


def _subject(ctx: Any, row: ActionLink) -> str:
    return str(ctx.person(row.subject_id).full_name)


def _perform(ctx: Any, row: ActionLink, values: dict[str, str]) -> str:
    """Set the password (and a TOTP secret, when asked) as the person; the message says how
    to log in and shows the secret once."""
    person_id = row.subject_id
    login = login_of(ctx.session, person_id)
    if login is not None and login.method != "local":
        raise ActionRefused(
            "Je logt in met het account van je organisatie; een wachtwoord voor poflow is niet "
            "nodig. Er is niets gewijzigd."
        )
    totp = values.get("tweede_stap") == YES
    setter = add_login if login is None else reset_login
    try:
        secret = setter(ctx.session, person_id, values["wachtwoord"], totp=totp, actor=person_id)
    except InputRefused as exc:
        raise ActionRefused(
            "Dit wachtwoord kan niet: gebruik minstens "
            f"{MIN_PASSWORD_LENGTH} tekens en niet je personeelsnummer. Er is niets gewijzigd; "
            "open de link opnieuw en kies een ander wachtwoord."
        ) from exc
    base = ctx.settings.resolved_base_url().rstrip("/")
    text = (
        f"Je wachtwoord is ingesteld. Log in op {base}/inloggen met je personeelsnummer "
        f"{person_id} en je nieuwe wachtwoord."
    )
    if secret is None:
        return text
    uri = pyotp.TOTP(secret).provisioning_uri(name=person_id, issuer_name=ISSUER)
    return (
        f"{text}\n\nZet deze sleutel nu in je authenticator-app; hij wordt maar één keer getoond: "
        f"{secret}\n\nOf gebruik dit adres in de app: {uri}\n\nBij het inloggen vul je daarna "
        "ook de code uit de app in."
    )


ACTIVATE_LOGIN = LinkAction(
    name=ACTIVATE,
    title="Wachtwoord kiezen",
    describe=_describe,
    perform=_perform,
    fields=(
        FormField(
            "wachtwoord",
            "Nieuw wachtwoord",
            kind="password",
            required=True,
            max_length=MAX_PASSWORD,
            hint=f"Minstens {MIN_PASSWORD_LENGTH} tekens, niet je personeelsnummer.",
        ),
        FormField(
            "wachtwoord_nogmaals",
            "Nieuw wachtwoord, nog een keer",
            kind="password",
            required=True,
            max_length=MAX_PASSWORD,
            hint="Typ hetzelfde wachtwoord nog eens.",
        ),
        FormField(
            "tweede_stap",
            "Ook een code uit een authenticator-app vragen bij het inloggen?",
            kind="select",
            required=True,
            choices=(("nee", "Nee"), (YES, "Ja, ik stel een authenticator-app in")),
            personal=False,
        ),
    ),
    expires_days=ACTIVATION_DAYS,
    button="Wachtwoord opslaan",
    extra={"validate": check_choice},
    needs_login=False,  # the person has no working login yet: the link is the proof (mailbox)
    done="wachtwoord gekozen",
    subject=_subject,
)
