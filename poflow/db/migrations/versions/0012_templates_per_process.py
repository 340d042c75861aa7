"""mail templates live in a folder per process: rename the template of queued and sent mail

The outbox keeps the name of the template a message was rendered from; moves and cancellations
compare it (a welcome mail sent before a move is re-sent as "gewijzigd"), so rows written
before the templates moved must carry the new names.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# (old name, new name): templates/mail/<old>.* moved to templates/mail/<new>.*
RENAMED = (
    ("approval_request", "approvals/approval_request"),
    ("checkin_escalatie", "checkins/escalatie"),
    ("checkin_herinnering", "checkins/herinnering"),
    ("checkin_uitnodiging", "checkins/uitnodiging"),
    ("checkin_vastleggen", "checkins/vastleggen"),
    ("coaching_formulieren", "coaching/formulieren"),
    ("coaching_leidinggevende", "coaching/leidinggevende"),
    ("ges_beoordeling_gedeeld", "conversations/beoordeling_gedeeld"),
    ("ges_beoordelingsformulier", "conversations/beoordelingsformulier"),
    ("ges_dossier", "conversations/dossier"),
    ("ges_escalatie", "conversations/escalatie"),
    ("ges_herinnering", "conversations/herinnering"),
    ("ges_onvoldoende", "conversations/onvoldoende"),
    ("ges_periodiek", "conversations/periodiek"),
    ("ges_pop_binnen", "conversations/pop_binnen"),
    ("ges_pop_verzoek", "conversations/pop_verzoek"),
    ("ges_richtgesprek_vastleggen", "conversations/richtgesprek_vastleggen"),
    ("ges_uitnodiging", "conversations/uitnodiging"),
    ("int_aanwezigheid", "introduction/aanwezigheid"),
    ("int_bewijs_van_deelname", "introduction/bewijs_van_deelname"),
    ("int_elearning_herinnering", "introduction/elearning_herinnering"),
    ("int_gesprek_herinnering", "introduction/gesprek_herinnering"),
    ("int_gesprek_uitnodiging", "introduction/gesprek_uitnodiging"),
    ("int_light_aanbod", "introduction/light_aanbod"),
    ("int_rolitem", "introduction/rolitem"),
    ("int_sessie_gastheer", "introduction/sessie_gastheer"),
    ("int_sessie_herinnering", "introduction/sessie_herinnering"),
    ("int_sessie_uitnodiging", "introduction/sessie_uitnodiging"),
    ("int_sessie_vol", "introduction/sessie_vol"),
    ("int_welkom", "introduction/welkom"),
    ("onb_buddy_afgesloten", "onboarding/buddy_afgesloten"),
    ("onb_buddy_toegewezen", "onboarding/buddy_toegewezen"),
    ("onb_digest", "onboarding/digest"),
    ("onb_vier_successen", "onboarding/vier_successen"),
    ("onb_welkom_prive", "onboarding/welkom_prive"),
    ("onb_welkom_werk", "onboarding/welkom_werk"),
    ("rec_aanbod", "recruitment/rec_aanbod"),
    ("rec_aanstellingsadvies", "recruitment/rec_aanstellingsadvies"),
    ("rec_afgezegd", "recruitment/rec_afgezegd"),
    ("rec_afwijzing", "recruitment/rec_afwijzing"),
    ("rec_koffiemoment", "recruitment/rec_koffiemoment"),
    ("rec_ontvangst", "recruitment/rec_ontvangst"),
    ("rec_publicatie", "recruitment/rec_publicatie"),
    ("rec_referral_bonus", "recruitment/rec_referral_bonus"),
    ("rec_referral_dank", "recruitment/rec_referral_dank"),
    ("rec_ronde_afgewezen", "recruitment/rec_ronde_afgewezen"),
    ("rec_tekst_bevestigen", "recruitment/rec_tekst_bevestigen"),
    ("rec_tekst_opstellen", "recruitment/rec_tekst_opstellen"),
    ("rec_uitnodiging", "recruitment/rec_uitnodiging"),
    ("rec_uitnodiging_panel", "recruitment/rec_uitnodiging_panel"),
)


def _rename(pairs: tuple[tuple[str, str], ...]) -> None:
    outbox = sa.table("outbox", sa.column("template", sa.String))
    for old, new in pairs:
        op.execute(outbox.update().where(outbox.c.template == old).values(template=new))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename(tuple((new, old) for old, new in RENAMED))
