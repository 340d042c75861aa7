"""The words poflow's processes share: roles, contract types and case types, each an enum with
its Dutch label, defined once."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CaseType", "ContractType", "Role"]


class Role(StrEnum):
    """A role a person of the staff register holds in a municipality."""

    GEMEENTESECRETARIS = "gemeentesecretaris"
    PO_ADVISEUR = "po_adviseur"
    RECRUITER = "recruiter"
    LEIDINGGEVENDE = "leidinggevende"
    MT_LID = "mt_lid"
    MEDEWERKER = "medewerker"
    LOOPBAANCOACH = "loopbaancoach"
    ICT = "ict"
    FACILITAIR = "facilitair"
    OR_LID = "or_lid"

    @property
    def label(self) -> str:
        """The Dutch name of the role, for mails and pages ("P&O-adviseur", "MT-lid")."""
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.GEMEENTESECRETARIS: "gemeentesecretaris",
    Role.PO_ADVISEUR: "P&O-adviseur",
    Role.RECRUITER: "recruiter",
    Role.LEIDINGGEVENDE: "leidinggevende",
    Role.MT_LID: "MT-lid",
    Role.MEDEWERKER: "medewerker",
    Role.LOOPBAANCOACH: "loopbaancoach",
    Role.ICT: "ICT",
    Role.FACILITAIR: "Facilitaire zaken",
    Role.OR_LID: "lid van de OR",
}


class ContractType(StrEnum):
    """The kind of employment of a hire or staff member (the importer's `contract_type`)."""

    VAST = "vast"
    TIJDELIJK = "tijdelijk"
    STAGE = "stage"
    DETACHERING = "detachering"
    PAYROLL = "payroll"
    INHUUR = "inhuur"
    BESTUURDER = "bestuurder"

    @property
    def has_months(self) -> bool:
        """Whether a contract of this type runs for a number of months (all but vast and
        bestuurder)."""
        return self not in {ContractType.VAST, ContractType.BESTUURDER}


class CaseType(StrEnum):
    """What a step, action, mail or link belongs to (its `case_type` column)."""

    HIRE = "hire"  # a new hire (id NH-...)
    INT_SESSION = "int_session"  # an introduction group session (id: the session's number)
    RUN = "run"  # a Prefect flow run (a failure notice to P&O)
    ROUND = "round"  # a recruitment round (id R-...)
    CANDIDATE = "candidate"  # a candidate of a round
    COACHING = "coaching"  # a career-coaching registration
    PERSON = "person"  # a member of existing staff (the conversation cycle of someone not new)
    ROLE_GRANTS = "role_grants"  # an import's approval-role grants (id: the import's batch)
