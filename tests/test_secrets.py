"""Tests of poflow's secrets: the key from a file, key rotation, and the development key (or an
empty OIDC client secret) refused wherever poflow or its links are reachable off loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from poflow._exceptions import InsecureSecret, LinkRefused, SecretUnreadable
from poflow.db.models import Outbox, Step
from poflow.kernel.secrets import DEVELOPMENT_KEY, exposure, is_loopback_host, key_problem
from poflow.link_tokens import verify_token
from poflow.links import ActionLink
from poflow.settings import Settings
from poflow.states import StepState
from poflow.web import create_app, serve_web_in_thread
from tests.web.support import (
    SECRET,
    checkin_record_link,
    csrf_of,
    heading,
    login_for_link,
    path_of,
)

NEW_KEY = "a-new-key-for-poflow-tests-0123456789"  # 37 characters
PUBLIC = "https://poflow.gemeente.example"
EXPOSED = [
    pytest.param({"web_host": "0.0.0.0"}, id="listens-on-0.0.0.0"),  # noqa: S104  (the case refused)
    pytest.param({"web_host": "::"}, id="listens-on-ipv6-any"),
    pytest.param({"web_host": "2001:db8::5"}, id="listens-on-public-ipv6"),
    pytest.param({"web_host": "poflow.gemeente.example"}, id="listens-on-a-name"),
    pytest.param({"base_url": PUBLIC}, id="https-base-url-behind-a-proxy"),
    pytest.param({"base_url": "http://poflow.gemeente.example"}, id="public-base-url"),
    pytest.param({"base_url": "https://127.0.0.1:8765"}, id="https-base-url-on-loopback"),
    pytest.param({"base_url": "http://[2001:db8::5]:8765"}, id="public-ipv6-base-url"),
]
LOOPBACK = [
    pytest.param({}, id="defaults"),
    pytest.param({"web_host": "localhost"}, id="localhost"),
    pytest.param({"web_host": "127.0.0.2"}, id="127.0.0.0/8"),
    pytest.param({"web_host": "::1", "base_url": "http://[::1]:8765"}, id="ipv6-loopback"),
    pytest.param({"base_url": "http://localhost:8765/"}, id="localhost-base-url"),
]


def _settings(rt: Any, **changes: Any) -> Settings:
    """The runtime's settings with the development key and `changes`."""
    return rt.settings.model_copy(update={"secret_key": SecretStr(DEVELOPMENT_KEY), **changes})


def _use(monkeypatch: pytest.MonkeyPatch, **env: str | None) -> Any:
    """Set (or, for None, remove) POFLOW_* variables and return the runtime built from them."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(f"POFLOW_{name}", raising=False)
        else:
            monkeypatch.setenv(f"POFLOW_{name}", value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    return get_runtime()


def _talk_state(rt: Any) -> StepState:
    with rt.factory() as session:
        return session.scalars(
            select(Step.state).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()


class TestLoopback:
    """The pure decision: which deployments are loopback-only."""

    @pytest.mark.parametrize(
        ("host", "loopback"),
        [
            ("127.0.0.1", True),
            ("127.8.9.10", True),
            ("localhost", True),
            ("LOCALHOST.", True),
            ("::1", True),
            ("[::1]", True),
            ("0.0.0.0", False),  # noqa: S104  (the case refused)
            ("::", False),
            ("", False),
            ("10.0.0.5", False),
            ("localhost.gemeente.example", False),
        ],
    )
    def test_a_host_is_loopback_only_when_it_is_one(self, host: str, loopback: bool):
        """127.0.0.0/8, ::1 and localhost are loopback; wildcards and every name are not."""
        assert is_loopback_host(host) is loopback

    def test_a_public_base_url_makes_a_loopback_listener_public(self):
        """A proxy's public name in POFLOW_BASE_URL counts as much as the listening address."""
        assert exposure(web_host="127.0.0.1", base_url=None) is None
        assert "POFLOW_BASE_URL" in str(exposure(web_host="127.0.0.1", base_url=PUBLIC))
        assert "POFLOW_WEB_HOST" in str(exposure(web_host="0.0.0.0", base_url=None))  # noqa: S104

    def test_a_key_must_not_be_known_or_short(self):
        """The development key, an empty key and one under 32 characters are unfit."""
        assert key_problem(DEVELOPMENT_KEY) == "is the development key"
        assert key_problem("") is not None
        assert key_problem("x" * 31) is not None
        assert key_problem(NEW_KEY) is None


class TestRefusedOffLoopback:
    """The web app and link minting refuse a key anyone may know when reachable from elsewhere."""

    @pytest.mark.parametrize("changes", EXPOSED)
    def test_the_web_app_refuses_the_development_key(self, hardenberg: Any, changes: Any):
        """create_app refuses the development key off loopback, naming POFLOW_SECRET_KEY."""
        with pytest.raises(InsecureSecret, match="POFLOW_SECRET_KEY is the development key"):
            create_app(_settings(hardenberg, **changes))

    @pytest.mark.parametrize("changes", LOOPBACK)
    def test_loopback_keeps_the_development_key(self, hardenberg: Any, changes: Any):
        """On loopback (the README's first command, the demo, the tests) the development key
        works."""
        with TestClient(create_app(_settings(hardenberg, **changes))) as client:
            assert client.get("/healthz").json() == {"status": "ok"}

    def test_a_real_key_is_served_on_a_public_address(self, hardenberg: Any):
        """With a key of 32 characters or more a public deployment starts."""
        settings = _settings(hardenberg, secret_key=SecretStr(NEW_KEY), base_url=PUBLIC)
        with TestClient(create_app(settings)) as client:
            assert client.get("/healthz").status_code == 200

    @pytest.mark.parametrize(
        ("changes", "named"),
        [
            ({"secret_key": SecretStr("")}, "POFLOW_SECRET_KEY is shorter than 32"),
            ({"secret_key": SecretStr("kort-geheim")}, "POFLOW_SECRET_KEY is shorter than 32"),
            (
                {
                    "secret_key": SecretStr(NEW_KEY),
                    "previous_secret_keys": (SecretStr(DEVELOPMENT_KEY),),
                },
                r"POFLOW_PREVIOUS_SECRET_KEYS \(key 1\) is the development key",
            ),
            (
                {
                    "secret_key": SecretStr(NEW_KEY),
                    "oidc_issuer": "https://login.gemeente.example",
                    "oidc_client_id": "poflow",
                },
                "POFLOW_OIDC_CLIENT_SECRET is empty",
            ),
            (
                {
                    "secret_key": SecretStr(NEW_KEY),
                    "oidc_issuer": "https://login.gemeente.example",
                    "oidc_client_secret": SecretStr(""),
                },
                "POFLOW_OIDC_CLIENT_SECRET is empty",
            ),
        ],
        ids=[
            "empty-key",
            "short-key",
            "development-key-kept-as-previous",
            "no-oidc-secret",
            "empty-oidc-secret",
        ],
    )
    def test_every_weak_secret_is_named(self, hardenberg: Any, changes: Any, named: str):
        """A short or empty key, a weak previous key and an empty OIDC secret are each refused
        off loopback, the message naming the setting in English and Dutch."""
        settings = _settings(hardenberg, base_url=PUBLIC, **changes)
        with pytest.raises(InsecureSecret, match=named) as refused:
            create_app(settings)
        assert "Geweigerd:" in str(refused.value)

    def test_an_empty_oidc_secret_is_fine_on_loopback(self, hardenberg: Any):
        """A developer's OIDC provider on loopback may run without a client secret."""
        settings = _settings(hardenberg, oidc_issuer="http://127.0.0.1:9000", oidc_client_id="x")
        settings.refuse_insecure_secrets()

    def test_the_server_refuses_before_it_listens(self, hardenberg: Any):
        """serve_web_in_thread (`poflow serve`, the demo) refuses a public --host with the
        development key; the same settings on loopback start."""
        settings = _settings(hardenberg)
        with pytest.raises(InsecureSecret, match=r"listens on 0\.0\.0\.0"):
            serve_web_in_thread(settings, host="0.0.0.0", port=0)  # noqa: S104  (refused)
        server = serve_web_in_thread(settings, port=0)
        server.stop()

    def test_links_are_not_minted_for_a_public_base_url(
        self, hardenberg: Any, monkeypatch: pytest.MonkeyPatch
    ):
        """A mail carrying a link is not queued while links point at a public name and the key
        is the development key: no link row, no outbox row."""
        rt = _use(monkeypatch, SECRET_KEY=None, BASE_URL=PUBLIC)
        assert rt.settings.secret_key.get_secret_value() == DEVELOPMENT_KEY
        with pytest.raises(InsecureSecret, match="POFLOW_BASE_URL"):
            checkin_record_link(rt)
        with rt.factory() as session:
            assert session.scalar(select(func.count()).select_from(ActionLink)) == 0
            assert session.scalar(select(func.count()).select_from(Outbox)) == 0

    def test_the_cli_says_why_without_a_traceback(self, tmp_path: Path):
        """`poflow web --host 0.0.0.0` with the development key exits 1 with the named error."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("POFLOW_")}
        env["POFLOW_DATA_DIR"] = str(tmp_path)
        done = subprocess.run(
            [sys.executable, "-m", "poflow", "web", "--host", "0.0.0.0"],  # noqa: S104
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("InsecureSecret: Refused: POFLOW_SECRET_KEY")
        assert "Geweigerd" in done.stderr
        assert "Traceback" not in done.stderr


class TestKeyFile:
    """POFLOW_SECRET_KEY_FILE and POFLOW_PREVIOUS_SECRET_KEYS_FILE."""

    def test_the_key_is_the_files_first_line(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        """The first line, stripped, is the key; the rest of the file is ignored."""
        key_file = tmp_path / "key"
        key_file.write_text(f"  {NEW_KEY}  \nsomething else\n", encoding="utf-8")
        monkeypatch.delenv("POFLOW_SECRET_KEY", raising=False)
        monkeypatch.setenv("POFLOW_SECRET_KEY_FILE", str(key_file))
        assert Settings().signing_keys() == [NEW_KEY]

    def test_previous_keys_from_the_environment_or_a_file(self, tmp_path: Path):
        """Previous keys come comma-separated or one per line; the current key stays first."""
        listed = Settings(secret_key=NEW_KEY, previous_secret_keys=" oud-1 , oud-2,")
        assert listed.signing_keys() == [NEW_KEY, "oud-1", "oud-2"]
        keys = tmp_path / "previous"
        keys.write_text("oud,met,komma\n\n  oud-2 \n", encoding="utf-8")
        from_file = Settings(secret_key=NEW_KEY, previous_secret_keys_file=keys)
        assert from_file.signing_keys() == [NEW_KEY, "oud,met,komma", "oud-2"]

    @pytest.mark.parametrize(
        ("content", "why"),
        [
            (None, "does not exist"),
            ("", "is empty"),
            ("\n  \n", "is empty"),
            ("dir", "cannot be read"),
        ],
        ids=["missing", "empty", "blank", "a-folder"],
    )
    def test_a_key_file_that_gives_no_key_is_refused(
        self, tmp_path: Path, content: str | None, why: str
    ):
        """A missing, empty or unreadable key file stops poflow naming the setting and the file."""
        path = tmp_path / "key"
        if content == "dir":
            path.mkdir()
        elif content is not None:
            path.write_text(content, encoding="utf-8")
        with pytest.raises(SecretUnreadable, match=f"POFLOW_SECRET_KEY_FILE: {path} {why}"):
            Settings(secret_key_file=path)

    @pytest.mark.parametrize("folder", [False, True], ids=["missing", "a-folder"])
    def test_a_previous_keys_file_that_cannot_be_read_is_refused(
        self, tmp_path: Path, folder: bool
    ):
        """A missing or unreadable previous-keys file stops poflow naming the setting."""
        path = tmp_path / "previous"
        if folder:
            path.mkdir()
        with pytest.raises(SecretUnreadable, match=f"POFLOW_PREVIOUS_SECRET_KEYS_FILE: {path}"):
            Settings(previous_secret_keys_file=path)

    def test_a_key_set_twice_is_ambiguous(self, tmp_path: Path):
        """POFLOW_SECRET_KEY and POFLOW_SECRET_KEY_FILE together are refused, as are both
        forms of the previous keys."""
        key_file = tmp_path / "key"
        key_file.write_text(NEW_KEY, encoding="utf-8")
        with pytest.raises(SecretUnreadable, match="set one of the two"):
            Settings(secret_key=NEW_KEY, secret_key_file=key_file)
        with pytest.raises(SecretUnreadable, match="set one of the two"):
            Settings(previous_secret_keys="oud", previous_secret_keys_file=key_file)

    def test_the_cli_names_a_missing_key_file(self, tmp_path: Path):
        """Any command with a missing key file exits 1 with one line naming it, no traceback."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("POFLOW_")}
        env |= {"POFLOW_DATA_DIR": str(tmp_path), "POFLOW_SECRET_KEY_FILE": str(tmp_path / "nee")}
        done = subprocess.run(
            [sys.executable, "-m", "poflow", "config", "check"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert done.stderr.startswith("SecretUnreadable: POFLOW_SECRET_KEY_FILE:")
        assert "does not exist" in done.stderr
        assert "Traceback" not in done.stderr

    def test_a_link_minted_with_the_files_key_works(
        self, hardenberg: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        """Links are signed with the key read from the file and the web app accepts them."""
        key_file = tmp_path / "key"
        key_file.write_text(NEW_KEY + "\n", encoding="utf-8")
        rt = _use(monkeypatch, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
        token = checkin_record_link(rt).rsplit("/a/", 1)[1]
        with rt.factory() as session:
            assert verify_token(session, secret=NEW_KEY, token=token)
            with pytest.raises(LinkRefused):
                verify_token(session, secret=SECRET, token=token)


@pytest.fixture
def old_link(hardenberg: Any) -> str:
    """Dirk's check-in link, minted under the key in use before the rotation (SECRET)."""
    return path_of(checkin_record_link(hardenberg))


class TestRotation:
    """Previous keys verify what they signed until the links expire; removed, nothing."""

    def test_a_link_minted_before_a_rotation_still_works(
        self, hardenberg: Any, old_link: str, monkeypatch: pytest.MonkeyPatch
    ):
        """After the rotation (new key, old one listed as previous) the old link records the
        talk."""
        rt = _use(monkeypatch, SECRET_KEY=NEW_KEY, PREVIOUS_SECRET_KEYS=SECRET, BASE_URL=PUBLIC)
        with TestClient(create_app(rt.settings), base_url=PUBLIC) as client:
            login_for_link(client, old_link)  # the check-in's leidinggevende (CHK-2)
            page = client.get(old_link)
            assert page.status_code == 200, heading(page.text)
            done = client.post(old_link, data={"csrf": csrf_of(page.text)})
        assert done.status_code == 200, heading(done.text)
        assert _talk_state(rt) == StepState.DONE

    def test_new_links_are_signed_with_the_new_key_only(
        self, hardenberg: Any, monkeypatch: pytest.MonkeyPatch
    ):
        """A link minted after the rotation does not verify with the previous key alone."""
        rt = _use(monkeypatch, SECRET_KEY=NEW_KEY, PREVIOUS_SECRET_KEYS=SECRET)
        token = checkin_record_link(rt).rsplit("/a/", 1)[1]
        with rt.factory() as session:
            assert verify_token(session, secret=NEW_KEY, token=token)
            with pytest.raises(LinkRefused, match="not valid"):
                verify_token(session, secret=SECRET, token=token)

    def test_a_csrf_value_from_before_the_rotation_still_works(
        self, hardenberg: Any, old_link: str, monkeypatch: pytest.MonkeyPatch
    ):
        """A confirmation page opened before the rotation can still be confirmed after it."""
        with TestClient(create_app(hardenberg.settings)) as before:
            login_for_link(before, old_link)  # the session outlives the rotation too
            page = before.get(old_link)
            csrf, cookies = csrf_of(page.text), dict(before.cookies)
        rt = _use(monkeypatch, SECRET_KEY=NEW_KEY, PREVIOUS_SECRET_KEYS=SECRET)
        with TestClient(create_app(rt.settings), cookies=cookies) as after:
            done = after.post(old_link, data={"csrf": csrf})
        assert done.status_code == 200, heading(done.text)
        assert _talk_state(rt) == StepState.DONE

    def test_a_link_of_a_removed_key_is_refused(
        self, hardenberg: Any, old_link: str, monkeypatch: pytest.MonkeyPatch
    ):
        """Once the old key is removed from the previous keys its links verify as forged and
        the web app refuses them, changing nothing."""
        rt = _use(monkeypatch, SECRET_KEY=NEW_KEY, PREVIOUS_SECRET_KEYS=None)
        with rt.factory() as session, pytest.raises(LinkRefused) as refused:
            verify_token(session, secret=rt.settings.signing_keys(), token=old_link[3:])
        assert refused.value.reason == "forged"
        with TestClient(create_app(rt.settings)) as client:
            page = client.get(old_link)
            assert page.status_code == 400
            assert client.post(old_link, data={"csrf": "x"}).status_code == 400
        assert _talk_state(rt) != StepState.DONE
