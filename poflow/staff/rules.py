"""The staff register's safeguards, pure: one person one mailbox, which role changes wait for a
second person, and who may confirm a waiting role grant (REC-9: nobody appoints their own second
pair of eyes).

`poflow.importer` and `poflow.staff.grants` apply these against the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from poflow.kernel.vocabulary import Role

__all__ = [
    "APPROVAL_ROLES",
    "CONFIRMER_ROLES",
    "MailboxRow",
    "confirm_refusal",
    "mailbox_clashes",
    "mailbox_key",
    "role_changes",
]

# The roles a four-eyes step asks: granting one takes a second person's confirmation.
APPROVAL_ROLES = frozenset(
    {Role.LEIDINGGEVENDE, Role.PO_ADVISEUR, Role.MT_LID, Role.GEMEENTESECRETARIS, Role.OR_LID}
)
# Who confirms (or refuses) a role grant: another P&O adviser or the gemeentesecretaris.
CONFIRMER_ROLES = frozenset({Role.PO_ADVISEUR, Role.GEMEENTESECRETARIS})


def mailbox_key(email: str) -> str:
    """The form two addresses are compared in: one mailbox whatever the letters' case."""
    return email.strip().casefold()


@dataclass(frozen=True, slots=True)
class MailboxRow:
    """One import row's person and address (`row` as a spreadsheet numbers it)."""

    row: int
    person_id: str
    email: str


def mailbox_clashes(
    rows: Iterable[MailboxRow],
    others: Mapping[str, str],
    shared: Collection[str] = (),
) -> list[tuple[int, str]]:
    """(row, problem) for each row whose address another person already uses.

    `others` maps the mailbox key of each person outside the import to their id; `shared` holds
    the keys of mailboxes that belong to no one person (a P&O team mailbox): a person's own
    address is never one of those. Rows of the same person id are not compared (the import
    refuses a repeated id by itself).
    """
    shared_keys = {mailbox_key(s) for s in shared}
    first: dict[str, MailboxRow] = {}
    problems: list[tuple[int, str]] = []
    for r in rows:
        key = mailbox_key(r.email)
        if not key:
            continue
        if key in shared_keys:
            problems.append(
                (r.row, f"{r.email!r} is a shared mailbox, not the address of one person")
            )
            continue
        earlier = first.get(key)
        if earlier is not None and earlier.person_id != r.person_id:
            problems.append(
                (
                    r.row,
                    f"{r.email!r} is also the address of {earlier.person_id} (row {earlier.row});"
                    " one person, one mailbox",
                )
            )
            continue
        first.setdefault(key, r)
        owner = others.get(key)
        if owner is not None and owner != r.person_id:
            problems.append(
                (
                    r.row,
                    f"{r.email!r} is already the address of person {owner}; "
                    "one person, one mailbox",
                )
            )
    return problems


def role_changes(held: Collection[str], wanted: Collection[str]) -> tuple[list[str], list[str]]:
    """(roles to add, roles to remove), each sorted: the register changes role by role."""
    return sorted(set(wanted) - set(held)), sorted(set(held) - set(wanted))


def confirm_refusal(
    *,
    confirmer_id: str,
    confirmer_roles: Collection[str],
    municipality: str,
    grantees: Collection[str],
    requesters: Collection[str],
) -> str | None:
    """Why `confirmer_id` may not confirm or refuse these role grants (Dutch), or None if they may.

    The confirmer holds po_adviseur or gemeentesecretaris in the grants' municipality, is none of
    the people whose role is being granted and did not request any of the grants.
    """
    if not set(confirmer_roles) & CONFIRMER_ROLES:
        return (
            f"Alleen een P&O-adviseur of de gemeentesecretaris van {municipality} bevestigt een "
            f"rol; {confirmer_id} is dat niet."
        )
    if confirmer_id in grantees:
        return (
            f"{confirmer_id} krijgt zelf een rol in deze aanvraag en kan die niet bevestigen: "
            "dat doet een tweede persoon (vierogenprincipe)."
        )
    if confirmer_id in requesters:
        return (
            f"{confirmer_id} heeft deze rollen zelf aangevraagd en kan ze niet bevestigen: "
            "dat doet een tweede persoon (vierogenprincipe)."
        )
    return None
