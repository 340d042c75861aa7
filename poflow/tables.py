"""Every table of poflow's database: the engine's own and those each process declares.

Alembic's environment, `poflow db copy` and the schema tests take the metadata from here, so a
table no declaration names is noticed (`schema_metadata` refuses it) instead of going unmigrated.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from poflow._exceptions import ConfigError
from poflow.auth.models import Login, LoginSession
from poflow.db import models
from poflow.db.base import Base
from poflow.import_uploads import ImportUpload
from poflow.links import ActionLink
from poflow.processes import PROCESSES
from poflow.published import PublishedArtifact
from poflow.staff.models import RoleGrant

__all__ = ["CORE_TABLES", "declared_tables", "schema_metadata"]

CORE_TABLES: tuple[type[Base], ...] = (
    models.Person,
    models.PersonRole,
    models.Hire,
    models.Step,
    models.Action,
    models.Outbox,
    models.AuditEntry,
    models.RefusalTally,
    models.AuditChainHead,
    ActionLink,
    PublishedArtifact,
    RoleGrant,
    Login,
    LoginSession,
    ImportUpload,
)


def declared_tables() -> dict[str, str]:
    """Table name -> who declares it ("core" or the process's name)."""
    owners = {model.__tablename__: "core" for model in CORE_TABLES}
    for spec in PROCESSES:
        owners.update({model.__tablename__: spec.name for model in spec.tables})
    return owners


def schema_metadata() -> MetaData:
    """The metadata of every table, checked to hold only declared tables."""
    undeclared = sorted(set(Base.metadata.tables) - set(declared_tables()))
    if undeclared:
        raise ConfigError(
            "poflow.processes.PROCESSES",
            [f"table {name!r} is in no ProcessSpec.tables nor CORE_TABLES" for name in undeclared],
        )
    return Base.metadata
