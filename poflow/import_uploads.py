"""Files uploaded for an import in the workspace, kept server-side between the dry run and the
confirmation: keyed by the SHA-256 of their content, for the person who uploaded them, for an
hour at most. Confirming reads the file back by its hash (never from the browser), so what is
imported is exactly the file previewed; a changed file has another hash and a preview of its
own. The row is deleted once imported; expired rows go at the next upload."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poflow.db.base import Base, UTCDateTime, utcnow

__all__ = ["KEEP", "ImportUpload", "digest_of", "forget_upload", "keep_upload", "kept_upload"]

KEEP = timedelta(hours=1)  # how long an uploaded file waits for its confirmation


class ImportUpload(Base):
    """One uploaded import file waiting for its confirmation (short-lived)."""

    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the content, hex
    person_id: Mapped[str] = mapped_column(String(40))  # who uploaded it (only they confirm it)
    municipality: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "hires" or "staff"
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_import_upload_key", "digest", "person_id", "kind", unique=True),
        Index("ix_import_upload_created_at", "created_at"),
    )


def digest_of(content: bytes) -> str:
    """The key of an uploaded file: the SHA-256 of its bytes."""
    return hashlib.sha256(content).hexdigest()


def keep_upload(
    session: Session,
    *,
    person_id: str,
    municipality: str,
    kind: str,
    file_name: str,
    content: bytes,
) -> str:
    """Keep the file for `person_id` until confirmed (or KEEP has passed); return its key.
    Expired uploads of anyone are deleted first."""
    session.execute(delete(ImportUpload).where(ImportUpload.created_at < utcnow() - KEEP))
    key = digest_of(content)
    row = _row(session, key, person_id, kind)
    if row is None:
        row = ImportUpload(digest=key, person_id=person_id, kind=kind, content=content)
        session.add(row)
    row.municipality, row.file_name, row.created_at = municipality, file_name[:255], utcnow()
    session.flush()
    return key


def kept_upload(
    session: Session, key: str, *, person_id: str, municipality: str, kind: str
) -> ImportUpload | None:
    """The upload kept under `key` for this person, municipality and kind, unless expired."""
    row = _row(session, key, person_id, kind)
    if row is None or row.municipality != municipality or row.created_at < utcnow() - KEEP:
        return None
    return row


def forget_upload(session: Session, row: ImportUpload) -> None:
    """Delete an upload once imported: its personal data is not kept longer than needed."""
    session.delete(row)


def _row(session: Session, key: str, person_id: str, kind: str) -> ImportUpload | None:
    return session.scalar(
        select(ImportUpload).where(
            ImportUpload.digest == key,
            ImportUpload.person_id == person_id,
            ImportUpload.kind == kind,
        )
    )
