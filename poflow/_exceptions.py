"""Every error poflow raises on purpose, in one place.

Hierarchy::

    PoflowError
    ├── ConfigError            a municipality file, setting or process declaration is wrong (X-5)
    ├── ImportRejected         an import file has bad rows; nothing was written
    ├── InputRefused           an email address or a name given for a named field cannot be used
    ├── TemplateError          a mail template is missing or lacks a variable
    ├── NotFound               an id that does not exist (hire, person, step, municipality)
    ├── StartDateRefused       a start date on a day not worked or in the past, not allowed
    ├── IllegalTransition      a state change the process does not allow
    ├── DuplicateMessage       a second outbox row for the same unique key (X-1)
    ├── AuditTamperError       an attempt to change or delete an audit row (X-4)
    ├── AuditAnchorInvalid     a published audit head given to `poflow audit verify` is malformed
    ├── ApprovalRefused        a four-eyes rule was violated (REC-9)
    ├── LinkRefused            an action link is forged, altered, expired, used or revoked
    ├── OidcRefused            an OpenID Connect login came back without a valid identity
    ├── LoginRefused           a login attempt failed; one Dutch message whatever the reason
    ├── MailDeliveryError      the SMTP server could not take the batch (X-2)
    ├── RecruitmentRefused     a recruitment step is not allowed now (REC)
    │   └── PreferenceRefused  a higher tier passed over at selection without a reason (REC-4)
    ├── AppraisalRequired      a legal-status decision before its appraisal (GES-5)
    ├── EnrolmentRefused       an enrolment in the introduction programme is not allowed (INT-1)
    ├── BuddyRefused           a buddy assignment is not allowed (BUD-1)
    ├── HandoverRefused        a new buddy or leidinggevende cannot be that colleague; Dutch
    ├── DatabaseCopyRefused    `poflow db copy` was refused or did not add up
    ├── SecretUnreadable       a secret key setting cannot be read: its file is missing, unreadable
    │                          or empty, or it is set twice (the value and a file)
    ├── InsecureSecret         the development key, a short key or an empty OIDC secret, while the
    │                          web app or its links are reachable from elsewhere
    ├── GrantRefused           a role grant's confirmation or refusal is not allowed; Dutch
    ├── AccessRefused          a login change from the workspace is not allowed (one's own login,
    │                          an OIDC login, another municipality's person); Dutch
    └── ActionRefused          a link's action was refused; its message is Dutch
        ├── AppraisalRefused   a conversation-cycle form was refused (GES-2/3)
        ├── CheckinRefused     a check-in may not be recorded as held: not by this person, or
        │                      not yet (CHK-2, CHK-3)
        ├── ClosingRefused     the startontwikkelgesprek before the programme may close (INT-5)
        └── CoachingRefused    a career-coaching record change was refused (LBC)

Messages say what was attempted and what was wrong.
"""

from __future__ import annotations

__all__ = [
    "AccessRefused",
    "ActionRefused",
    "AppraisalRefused",
    "AppraisalRequired",
    "ApprovalRefused",
    "AuditAnchorInvalid",
    "AuditTamperError",
    "BuddyRefused",
    "CheckinRefused",
    "ClosingRefused",
    "CoachingRefused",
    "ConfigError",
    "DatabaseCopyRefused",
    "DuplicateMessage",
    "EnrolmentRefused",
    "GrantRefused",
    "HandoverRefused",
    "IllegalTransition",
    "ImportRejected",
    "InputRefused",
    "InsecureSecret",
    "LinkRefused",
    "LoginRefused",
    "MailDeliveryError",
    "NotFound",
    "OidcRefused",
    "PoflowError",
    "PreferenceRefused",
    "RecruitmentRefused",
    "SecretUnreadable",
    "StartDateRefused",
    "TemplateError",
]


class PoflowError(Exception):
    """Base class of every error poflow raises on purpose."""


class ConfigError(PoflowError):
    """A configuration file or setting is missing or holds a wrong value.

    The message names the file, the key and what was expected.
    """

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Configuration {file} is not valid:\n{lines}")


class ImportRejected(PoflowError):
    """An import file has one or more bad rows; the database was not changed.

    `problems` holds one line per problem, each naming the row and the column.
    """

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        lines = "\n".join(problems)
        super().__init__(
            f"Import of {file} rejected, nothing was written ({len(problems)} problem(s)):\n{lines}"
        )


class InputRefused(PoflowError):
    """An email address or a name given for a named field (a CLI option, a column, a form field)
    cannot be used: not one valid address, against the SMTPUTF8 policy, or holding control,
    bidi or zero-width characters. `field` names it, `why` says what is wrong."""

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        self.why = why
        super().__init__(f"{field}: {why}")


class TemplateError(PoflowError):
    """A mail template does not exist or refers to a variable the context lacks."""


class NotFound(PoflowError):
    """An id given by a user or a link does not exist."""


class StartDateRefused(PoflowError):
    """A start date on a weekend, CAO holiday or closing day, or before today, given without
    the explicit allowance (`--allow-non-working-day`, `--allow-past`); nothing changed."""


class IllegalTransition(PoflowError):
    """A state change that the process does not allow from the current state."""


class DuplicateMessage(PoflowError):
    """An outbox row with the same unique key already exists (X-1)."""


class AuditTamperError(PoflowError):
    """The audit log is append-only: an update or delete was attempted (X-4)."""


class AuditAnchorInvalid(PoflowError):
    """A published head of the audit chain, given to `poflow audit verify --anchor`, is not
    SLUG:REGEL:HEX (X-4)."""


class ApprovalRefused(PoflowError):
    """An approval broke a four-eyes rule: same person twice, missing role, or after a rejection."""


class LinkRefused(PoflowError):
    """An action link cannot be used; `reason` says why (forged, altered, expired, used or
    revoked)."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class OidcRefused(PoflowError):
    """An OpenID Connect login was refused: the flow expired or was tampered with (state), the
    provider answered an error or refused the code, the ID token did not verify (signature,
    iss, aud, exp, nonce) or lacks the person claim. `reason` names which; the message never
    quotes a token."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"OpenID Connect login refused ({reason}): {detail}")


class LoginRefused(PoflowError):
    """A login attempt failed. The message is the same Dutch sentence whatever went wrong (it
    never tells whether an account exists); `reason` (unknown, no_login, disabled, locked,
    password, code, method) is for the audit log only."""

    MESSAGE = (
        "Inloggen is niet gelukt. Controleer je personeelsnummer, wachtwoord en code en probeer "
        "het opnieuw. Lukt het niet, neem dan contact op met P&O."
    )

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(self.MESSAGE)


class MailDeliveryError(PoflowError):
    """The SMTP server refused or could not be reached; the messages stay queued (X-2)."""


class RecruitmentRefused(PoflowError):
    """A recruitment step is not allowed now (REC): wrong stage, tier, role or panel member."""


class PreferenceRefused(RecruitmentRefused):
    """A selection passes over candidates of a higher voorkeursbeleid tier for a lower one
    without a recorded reason for each (REC-4); `candidate_ids` names them."""

    def __init__(self, message: str, candidate_ids: list[str]) -> None:
        self.candidate_ids = candidate_ids
        super().__init__(message)


class AccessRefused(PoflowError):
    """A P&O adviser's login change from the workspace is not allowed: their own login (four
    eyes on access), an OIDC login, or nothing to change; the message is Dutch."""


class ActionRefused(PoflowError):
    """A link's action was refused by its process; the message is Dutch, shown to the person."""


class AppraisalRequired(PoflowError):
    """A legal-status decision was recorded before its (extra) appraisal was recorded (GES-5)."""


class AppraisalRefused(ActionRefused):
    """A conversation-cycle form was refused (already recorded, cancelled, missing score); Dutch."""


class CheckinRefused(ActionRefused):
    """A check-in may not be recorded as held: not the hire's leidinggevende (nor P&O on behalf,
    with a reason), or before the talk's date (CHK-2, CHK-3); the message is Dutch."""


class ClosingRefused(ActionRefused):
    """The startontwikkelgesprek cannot close the introduction programme yet: before its six
    months, or while items of its lines are still open (INT-2/INT-5); the message is Dutch."""


class CoachingRefused(ActionRefused):
    """A career-coaching record change is not allowed: unknown category, another coach's record,
    a person without the right role, or a date that cannot be (LBC); the message is Dutch."""


class EnrolmentRefused(PoflowError):
    """An enrolment in the introduction programme is not allowed: an excluded group (college B&W,
    gemeenteraad), a person who is neither P&O nor the hire's leidinggevende, or the programme is
    switched off (INT-1)."""


class BuddyRefused(PoflowError):
    """A buddy assignment is not allowed: no such colleague in the municipality, or the hire's
    own leidinggevende (BUD-1)."""


class HandoverRefused(PoflowError):
    """A new buddy or leidinggevende for a hire cannot be the colleague chosen (not of the
    staff register, already it, the other of the two, not of the team or without the role);
    the message is Dutch, shown to the P&O adviser."""


class DatabaseCopyRefused(PoflowError):
    """A database copy (`poflow db copy`) was refused or did not add up: the target already holds
    rows, source and target are at different schema versions, or a table's row count differs."""


class SecretUnreadable(PoflowError):
    """A secret key setting cannot be used as given: POFLOW_SECRET_KEY_FILE (or
    POFLOW_PREVIOUS_SECRET_KEYS_FILE) names a file that is missing, unreadable or empty, or a
    key is set both directly and from a file. `setting` names the setting."""

    def __init__(self, setting: str, why: str) -> None:
        self.setting = setting
        self.why = why
        super().__init__(f"{setting}: {why}")


class InsecureSecret(PoflowError):
    """poflow refuses to serve or to mail links with a secret anyone may know (the development
    key, a key under 32 characters, an empty OIDC client secret) while the web app listens on
    a non-loopback address or POFLOW_BASE_URL points elsewhere. `settings` names each setting;
    the message says it in Dutch and English."""

    def __init__(self, exposure: str, problems: list[tuple[str, str, str]]) -> None:
        self.settings = [setting for setting, _english, _dutch in problems]
        english = "; ".join(f"{setting} {why}" for setting, why, _dutch in problems)
        dutch = "; ".join(f"{setting} {why}" for setting, _english, why in problems)
        super().__init__(
            f"Refused: {english}, while {exposure}. Set a random key of at least 32 characters "
            "(POFLOW_SECRET_KEY or POFLOW_SECRET_KEY_FILE; e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))') and the OIDC client "
            "secret where one is named.\n"
            f"Geweigerd: {dutch}, terwijl poflow van buitenaf bereikbaar is. Stel een "
            "willekeurige sleutel van minstens 32 tekens in (POFLOW_SECRET_KEY of "
            "POFLOW_SECRET_KEY_FILE) en het OIDC-clientgeheim waar dat genoemd wordt."
        )


class GrantRefused(PoflowError):
    """A role grant cannot be confirmed or refused by this person: not a P&O adviser or the
    gemeentesecretaris of its municipality, a grantee, the requester, or the grant is no longer
    waiting (REC-9); the message is Dutch, shown to the person."""
