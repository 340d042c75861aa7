"""Where `poflow login` keeps its session: one file per database in the user's state folder.

The file (`$XDG_STATE_HOME/poflow/` or `~/.local/state/poflow/`, named after a hash of the
database URL) holds the session's random value and that hash; only the operating-system user may
read it (0600, in a 0700 folder). A file readable by others, owned by someone else or made for
another database is not used. The database keeps only the value's SHA-256, like a cookie's.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

__all__ = ["database_key", "forget_session", "read_session", "save_session", "session_file"]

_FILE_MODE = 0o600
_DIR_MODE = 0o700


def database_key(database_url: str) -> str:
    """The hash that names a database's session file (the URL itself is not written)."""
    return hashlib.sha256(database_url.encode()).hexdigest()[:32]


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "poflow"


def session_file(database_url: str) -> Path:
    """The session file of `database_url` (it may not exist)."""
    return _state_dir() / f"session-{database_key(database_url)}.json"


def save_session(database_url: str, value: str) -> Path:
    """Write the session value for `database_url`, readable by this user only; its path."""
    folder = _state_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
    path = session_file(database_url)
    path.unlink(missing_ok=True)  # a new file gets the mode below, whatever was there
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, _FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"database": database_key(database_url), "session": value}, out)
    os.chmod(path, _FILE_MODE)  # the umask may have taken bits off, never added: make it exact
    return path


def read_session(database_url: str) -> tuple[str | None, str | None]:
    """(the session value, None), (None, None) without a file, or (None, why it is not used)."""
    path = session_file(database_url)
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None, None
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        return None, f"{path} is not a file of this user; it is not used. Log in again."
    if info.st_mode & 0o077:
        return None, (
            f"{path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}); it is not "
            "used. Log in again: poflow login <personeelsnummer>"
        )
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"{path} cannot be read; log in again."
    if not isinstance(content, dict) or content.get("database") != database_key(database_url):
        return None, f"{path} belongs to another database; log in again."
    value = content.get("session")
    return (value, None) if isinstance(value, str) and value else (None, None)


def forget_session(database_url: str) -> bool:
    """Remove the session file of `database_url`; whether there was one."""
    path = session_file(database_url)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed
