"""What poflow last published to Prefect per artifact key: unchanged content is not sent again.

At national scale the dispatcher would otherwise create tens of thousands of progress artifacts
on every run (one API call each, about 10 ms). A publisher asks `changed` first, publishes, and
then calls `remember`: a failure between the two only means the artifact is published again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poflow.db.base import Base, UTCDateTime, chunked, utcnow

__all__ = ["PublishedArtifact", "changed", "content_digest", "remember"]


class PublishedArtifact(Base):
    """The digest of the content last published under a Prefect artifact key."""

    __tablename__ = "published_artifact"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def content_digest(content: Any) -> str:
    """A stable digest of JSON-like content (dates as ISO text)."""
    text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def changed(session: Session, keys_and_content: dict[str, Any]) -> dict[str, str]:
    """The keys whose content differs from what was last published, with the new digests."""
    digests = {key: content_digest(content) for key, content in keys_and_content.items()}
    known: dict[str, str] = {}
    for keys in chunked(list(digests)):
        known.update(
            session.execute(
                select(PublishedArtifact.key, PublishedArtifact.digest).where(
                    PublishedArtifact.key.in_(keys)
                )
            ).all()
        )
    return {key: d for key, d in digests.items() if known.get(key) != d}


def remember(session: Session, published: dict[str, str]) -> None:
    """Record that these keys were published with these digests."""
    for key, digest in published.items():
        row = session.get(PublishedArtifact, key)
        if row is None:
            session.add(PublishedArtifact(key=key, digest=digest))
        else:
            row.digest, row.published_at = digest, utcnow()
