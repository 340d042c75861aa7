"""Process-wide settings from environment variables prefixed POFLOW_ (one class, cached)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings of one poflow installation; each field is read from POFLOW_<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="POFLOW_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=PROJECT_ROOT / ".poflow",
        description="Folder for the SQLite database, the demo mail folder and Prefect's home.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/poflow.db. "
        "PostgreSQL: postgresql+psycopg://user:pw@host:5432/poflow",
    )
    config_dir: Path = Field(default=PROJECT_ROOT / "config")
    templates_dir: Path = Field(default=PROJECT_ROOT / "templates")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_s: float = 10.0
    send_retries: int = Field(default=3, ge=0, le=10, description="Retries of a failed send")
    send_retry_delay_s: float = Field(default=10.0, ge=0, description="First retry delay; doubles")
    mail_from: str = "poflow@example.nl"

    secret_key: SecretStr = SecretStr("change-me-poflow-development-key")
    web_host: str = "127.0.0.1"
    web_port: int = 8765
    base_url: str | None = None

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'poflow.db').as_posix()}"

    def resolved_base_url(self) -> str:
        """The address put into action links."""
        return (self.base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings, read once per process (tests call `get_settings.cache_clear()`)."""
    return Settings()
