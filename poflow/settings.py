"""Process-wide settings from environment variables prefixed POFLOW_ (one class, cached), and
from `<data dir>/.env` (never a `.env` in the current directory)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from poflow._exceptions import InsecureSecret, SecretUnreadable
from poflow.kernel.secrets import DEVELOPMENT_KEY, exposure, secret_problems

__all__ = ["PROJECT_ROOT", "Settings", "env_file", "get_settings"]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# A source checkout (editable install or PYTHONPATH) has pyproject.toml beside the package and
# the data folders at its top level; an installed wheel (`pip install .`) carries templates/ and
# config/ inside the package as poflow/templates and poflow/municipalities (pyproject.toml).
SOURCE_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
SHIPPED_CONFIG_DIR = PROJECT_ROOT / "config" if SOURCE_CHECKOUT else PACKAGE_DIR / "municipalities"
SHIPPED_TEMPLATES_DIR = PROJECT_ROOT / "templates" if SOURCE_CHECKOUT else PACKAGE_DIR / "templates"


def _default_data_dir() -> Path:
    """`.poflow/` in a source checkout; the per-user data folder for an installed package."""
    if SOURCE_CHECKOUT:
        return PROJECT_ROOT / ".poflow"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "poflow"


def env_file() -> Path:
    """The settings file read besides the environment: `<data dir>/.env`, the data dir taken
    from POFLOW_DATA_DIR or its default. A `.env` in the current directory is never read (one
    planted there could redirect every link)."""
    raw = os.environ.get("POFLOW_DATA_DIR", "")
    return (Path(raw) if raw else _default_data_dir()) / ".env"


class _DataDirDotEnv(DotEnvSettingsSource):
    """`<data dir>/.env`; a POFLOW_DATA_DIR in it is ignored (it cannot move its own folder)."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        values.pop("data_dir", None)
        return values


class Settings(BaseSettings):
    """Settings of one poflow installation; each field is read from POFLOW_<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="POFLOW_", env_file=None, extra="ignore", frozen=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then `<data dir>/.env` (see `env_file`)."""
        dotenv = _DataDirDotEnv(settings_cls, env_file=env_file(), env_file_encoding="utf-8")
        return init_settings, env_settings, dotenv, file_secret_settings

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for the SQLite database, the demo mail folder and Prefect's home. "
        "Default: .poflow/ in the source checkout; for an installed package (no checkout to "
        "put it in) the per-user data folder $XDG_DATA_HOME/poflow, else ~/.local/share/poflow.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/poflow.db. "
        "PostgreSQL: postgresql+psycopg://user:pw@host:5432/poflow",
    )
    config_dir: Path = Field(
        default=SHIPPED_CONFIG_DIR,
        description="The municipality folders; default the example configs shipped with poflow "
        "(the repository's config/ in a source checkout, poflow/municipalities when installed).",
    )
    templates_dir: Path = Field(
        default=SHIPPED_TEMPLATES_DIR,
        description="The mail, document and web templates; default those shipped with poflow "
        "(the repository's templates/ in a source checkout, poflow/templates when installed).",
    )

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
    smtputf8: bool = Field(
        default=False,
        description="Whether the mail server delivers SMTPUTF8 (non-ASCII before the @): off, "
        "such addresses are refused wherever they come in",
    )
    mail_max_attempts: int = Field(
        default=5, ge=1, le=100, description="Attempts at one message before it is parked"
    )
    mail_retry_after_s: float = Field(
        default=900.0, ge=0, description="Wait before a failed message is tried again; doubles"
    )

    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_KEY),
        description="Signs the action links (and the CSRF values of their pages); the "
        "development key is refused off loopback (poflow.kernel.secrets)",
    )
    secret_key_file: Path | None = Field(
        default=None,
        description="A file whose first line is the secret key (instead of POFLOW_SECRET_KEY)",
    )
    previous_secret_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        default=(),
        description="Keys replaced by the current one, comma-separated: links they signed "
        "still verify until they expire; new links are signed with the current key only",
    )
    previous_secret_keys_file: Path | None = Field(
        default=None,
        description="A file with one previous key per line (instead of "
        "POFLOW_PREVIOUS_SECRET_KEYS)",
    )
    web_host: str = "127.0.0.1"
    web_port: int = 8765
    base_url: str | None = None

    prefect_start_timeout_s: int = Field(
        default=120,
        ge=0,
        le=3600,
        description="Without PREFECT_API_URL, how long `poflow tick` waits for Prefect's temporary "
        "server to start before it runs the day without Prefect",
    )
    # Login (poflow/auth): local accounts always; OpenID Connect when an issuer is set.
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A login session ends after this idle time"
    )
    session_max_hours: int = Field(
        default=10, ge=1, le=7 * 24, description="A login session ends after this long in all"
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer URL (e.g. https://login.microsoftonline.com/<tenant>"
        "/v2.0); unset: local accounts only",
    )
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_person_claim: str = Field(
        default="employee_id",
        description="The ID-token claim whose value is the person's id in the staff register",
    )

    @model_validator(mode="before")
    @classmethod
    def _keys_from_files(cls, data: Any) -> Any:
        """Read the key files named by the settings; a key given twice is ambiguous."""
        if not isinstance(data, dict):
            return data
        values = dict(data)
        if values.get("secret_key_file"):
            if values.get("secret_key") is not None:
                raise SecretUnreadable(
                    "POFLOW_SECRET_KEY_FILE",
                    "POFLOW_SECRET_KEY is set too; set one of the two, not both.",
                )
            lines = _read_key_file("POFLOW_SECRET_KEY_FILE", Path(values["secret_key_file"]))
            if not lines:
                raise SecretUnreadable(
                    "POFLOW_SECRET_KEY_FILE",
                    f"{values['secret_key_file']} is empty: its first line must be the key.",
                )
            values["secret_key"] = lines[0]
        if values.get("previous_secret_keys_file"):
            if values.get("previous_secret_keys"):
                raise SecretUnreadable(
                    "POFLOW_PREVIOUS_SECRET_KEYS_FILE",
                    "POFLOW_PREVIOUS_SECRET_KEYS is set too; set one of the two, not both.",
                )
            path = Path(values["previous_secret_keys_file"])
            values["previous_secret_keys"] = tuple(
                _read_key_file("POFLOW_PREVIOUS_SECRET_KEYS_FILE", path, every_line=True)
            )
        return values

    @field_validator("previous_secret_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """POFLOW_PREVIOUS_SECRET_KEYS is comma-separated; blanks around a key are dropped."""
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    def signing_keys(self) -> list[str]:
        """The keys of links and CSRF values: the current key first (it alone signs new
        ones), then the previous keys (they still verify what they signed)."""
        previous = [key.get_secret_value() for key in self.previous_secret_keys]
        return [self.secret_key.get_secret_value(), *previous]

    def refuse_insecure_secrets(self, host: str | None = None) -> None:
        """InsecureSecret when a secret anyone may know would be used while the web app
        (listening on `host`, default POFLOW_WEB_HOST) or its links are reachable from
        elsewhere; a loopback deployment passes with the development key."""
        reached = exposure(web_host=host or self.web_host, base_url=self.base_url)
        if reached is None:
            return
        current, *previous = self.signing_keys()
        client_secret = self.oidc_client_secret
        problems = secret_problems(
            current_key=current,
            previous_keys=previous,
            oidc_issuer=self.oidc_issuer,
            oidc_client_secret=client_secret.get_secret_value() if client_secret else None,
        )
        if problems:
            raise InsecureSecret(reached, [(p.setting, p.english, p.dutch) for p in problems])

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'poflow.db').as_posix()}"

    def resolved_base_url(self) -> str:
        """The address put into action links."""
        return (self.base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")


def _read_key_file(setting: str, path: Path, *, every_line: bool = False) -> list[str]:
    """The stripped non-empty lines of a key file (only the first unless `every_line`);
    SecretUnreadable naming `setting` when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretUnreadable(setting, f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise SecretUnreadable(setting, f"{path} cannot be read ({why}).") from None
    lines = text.splitlines()
    if not every_line:
        lines = lines[:1]
    return [line.strip() for line in lines if line.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings, read once per process (tests call `get_settings.cache_clear()`)."""
    return Settings()
