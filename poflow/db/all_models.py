"""Imports every module that defines tables, so Alembic sees the whole schema."""

from poflow import foureyes, links  # noqa: F401  (approvals, action links)
from poflow import approvals  # noqa: F401  (four-eyes approval requests)
from poflow.db import models  # noqa: F401  (engine tables)
from poflow import onboarding_digest  # noqa: F401  (ONB digest notices)
from poflow.recruitment import models as recruitment_models  # noqa: F401  (REC rounds)
from poflow.introduction import models as introduction_models  # noqa: F401  (INT)
from poflow.conversations import models as conversation_models  # noqa: F401  (GES)
from poflow.coaching import models as coaching_models  # noqa: F401  (LBC)
from poflow import published  # noqa: F401  (what was last published to Prefect)
