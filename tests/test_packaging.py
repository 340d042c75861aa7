"""Packaging: poflow installs as one package that runs outside the repository.

flows/ and tasks/ install as poflow.flows and poflow.tasks, templates/ and config/ as the package
data poflow/templates and poflow/municipalities, the Alembic scripts with poflow.db (the mapping
is pyproject.toml's [tool.setuptools] tables). The slow test builds the repository into a fresh
virtualenv, without editable mode, and runs the CLI from a folder outside it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where each repository folder lands inside the installed poflow package.
SHIPPED = {"flows": "flows", "tasks": "tasks", "templates": "templates", "config": "municipalities"}

# Run by the installed interpreter: where everything resolves and what the settings default to.
PROBE = """
import importlib.util, json, os, sys
import poflow, poflow.flows.dispatcher, poflow.flows.serve, poflow.tasks.mail
from poflow.db.session import MIGRATIONS
from poflow.settings import Settings
s = Settings()
os.environ.pop("POFLOW_DATA_DIR", None)
os.environ.pop("XDG_DATA_HOME", None)
home_default = Settings().data_dir
os.environ["XDG_DATA_HOME"] = sys.argv[1]
xdg_default = Settings().data_dir
print(json.dumps({
    "poflow": poflow.__file__,
    "dispatcher": poflow.flows.dispatcher.__file__,
    "mail": poflow.tasks.mail.__file__,
    "flows": importlib.util.find_spec("flows") is not None,
    "tasks": importlib.util.find_spec("tasks") is not None,
    "deployments": len(poflow.flows.serve.all_deployments()),
    "migrations": str(MIGRATIONS),
    "config_dir": str(s.config_dir),
    "templates_dir": str(s.templates_dir),
    "data_dir": str(s.data_dir),
    "home_default": str(home_default),
    "xdg_default": str(xdg_default),
}))
"""


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without poflow's, Prefect's and Python's path settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POFLOW_", "PREFECT_"))
        and k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    return {**env, **extra}


def _probe(python: Path, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-c", PROBE, str(cwd / "xdg")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _repo_files(folder: str, pattern: str = "*") -> list[Path]:
    return sorted(
        p.relative_to(ROOT / folder)
        for p in (ROOT / folder).rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_every_poflow_package_is_listed_in_pyproject():
    """A new folder of modules under poflow/ must be added to [tool.setuptools] packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "poflow").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert found - listed == set()
    mapped = config["setuptools"]["package-dir"]
    assert {folder: mapped[f"poflow.{name}"] for folder, name in SHIPPED.items()} == {
        folder: folder for folder in SHIPPED
    }


def _site_dirs() -> list[str]:
    """The running environment's site-packages folders (not the checkout pytest may add)."""
    return [p for p in sys.path if Path(p).name in {"site-packages", "dist-packages"}]


def _editable_source() -> Path | None:
    """The folder poflow is installed editable from, or None."""
    found = next(iter(metadata.distributions(name="poflow", path=_site_dirs())), None)
    if found is None:
        return None
    info = json.loads(found.read_text("direct_url.json") or "{}")
    if not info.get("dir_info", {}).get("editable"):
        return None
    return Path(unquote(urlparse(info["url"]).path)).resolve()


def test_the_editable_install_maps_flows_and_tasks_into_poflow(tmp_path: Path):
    """`pip install -e .` (scripts/setup.sh): poflow.flows is the repository's flows/ folder,
    settings point at the top-level config/ and templates/, and no top-level `flows` exists."""
    if _editable_source() != ROOT:
        pytest.skip("poflow is not installed editable from this checkout (scripts/setup.sh)")
    found = _probe(Path(sys.executable), tmp_path, _clean_env())
    assert Path(found["dispatcher"]) == ROOT / "flows" / "dispatcher.py"
    assert Path(found["mail"]) == ROOT / "tasks" / "mail.py"
    assert found["flows"] is False
    assert found["tasks"] is False
    assert Path(found["config_dir"]) == ROOT / "config"
    assert Path(found["templates_dir"]) == ROOT / "templates"
    assert Path(found["home_default"]) == ROOT / ".poflow"
    assert Path(found["migrations"]) == ROOT / "poflow" / "db" / "migrations"


def _site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh virtualenv with poflow installed from a copy of this repository (not editable).

    The copy keeps the build's own build/ and egg-info folders out of the checkout, and stale
    ones out of the wheel. Only poflow is installed (--no-deps); its dependencies are borrowed
    from the running environment through a .pth file, added after pip has finished.
    """
    base = tmp_path_factory.mktemp("packaging")
    source = base / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.egg-info", "build", "dist", "*.db", "*.db-*"
        ),
    )
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, "install", "--no-deps", "--no-input", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    site = _site_packages(python)
    (site / "_poflow_test_dependencies.pth").write_text(
        "\n".join(_site_dirs()) + "\n", encoding="utf-8"
    )
    return venv, site


@pytest.mark.packaging
def test_the_installed_package_carries_everything_and_no_top_level_flows(
    installed: tuple[Path, Path],
):
    """site-packages holds poflow only: its flows, tasks, templates, configs and migrations."""
    _venv, site = installed
    top = {p.name for p in site.iterdir() if p.name != "__pycache__" and p.suffix != ".pth"}
    assert not (site / "flows").exists()
    assert not (site / "tasks").exists()
    assert {n for n in top if not re.fullmatch(r"poflow-[^/]+\.dist-info", n)} == {"poflow"}

    expected = [Path("poflow", rel) for rel in _repo_files("poflow", "*.py")]
    expected.append(Path("poflow", "db", "migrations", "script.py.mako"))
    for folder, name in SHIPPED.items():
        pattern = "*.yaml" if folder == "config" else "*"
        expected += [Path("poflow", name, rel) for rel in _repo_files(folder, pattern)]
    missing = [str(p) for p in expected if not (site / p).is_file()]
    assert missing == []
    assert len(list((site / "poflow" / "municipalities").rglob("*.yaml"))) >= 3
    assert (site / "poflow" / "templates" / "mail" / "_base.html").is_file()
    assert (site / "poflow" / "db" / "migrations" / "env.py").is_file()


@pytest.mark.packaging
def test_the_installed_cli_runs_from_any_folder(installed: tuple[Path, Path], tmp_path: Path, smtp):
    """From a folder outside the repository: --help, config check, a migrated database, a tick
    whose mails are rendered from the installed templates, Prefect on a temporary server."""
    from alembic.script import ScriptDirectory

    venv, site = installed
    work = tmp_path / "work"
    work.mkdir()
    data = tmp_path / "data"
    home = tmp_path / "home"
    env = _clean_env(
        HOME=str(home),
        POFLOW_DATA_DIR=str(data),
        POFLOW_SMTP_HOST="127.0.0.1",
        POFLOW_SMTP_PORT=str(smtp.port),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )

    def poflow(*args: str) -> str:
        done = subprocess.run(
            [str(venv / "bin" / "poflow"), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, f"poflow {' '.join(args)}: {done.stderr[-3000:]}"
        return done.stdout

    assert "tick" in poflow("--help")
    checked = poflow("config", "check")
    for slug in sorted(p.name for p in (ROOT / "config").iterdir() if p.is_dir()):
        assert re.search(rf"^{re.escape(slug)}: .* OK$", checked, re.MULTILINE), checked

    poflow("db", "upgrade")
    with sqlite3.connect(data / "poflow.db") as db:
        versions = {row[0] for row in db.execute("SELECT version_num FROM alembic_version")}
    scripts = ScriptDirectory(str(ROOT / "poflow" / "db" / "migrations"))
    # Every head is applied: one the table names, or one a named version depends on (Alembic
    # keeps no row for a branch that a later migration depends on, e.g. 0004 under 0019).
    reached = {
        script.revision
        for version in versions
        for script in scripts.revision_map.iterate_revisions(
            version, "base", inclusive=True, assert_relative_length=False, select_for_downgrade=True
        )
    }
    assert set(scripts.get_heads()) <= reached

    for kind in ("staff", "hires"):
        poflow("import", kind, str(ROOT / "examples" / f"{kind}.csv"))
    ticked = poflow("tick", "--date", "2027-01-04")
    sent = re.search(r"^2027-01-04: .* (\d+) mail\(s\) sent$", ticked, re.MULTILINE)
    assert sent, ticked
    assert int(sent.group(1)) > 0
    assert len(smtp.messages) == int(sent.group(1))

    found = _probe(venv / "bin" / "python", work, env)
    assert Path(found["poflow"]).is_relative_to(site)
    assert Path(found["dispatcher"]) == site / "poflow" / "flows" / "dispatcher.py"
    assert Path(found["mail"]) == site / "poflow" / "tasks" / "mail.py"
    assert found["flows"] is False
    assert found["tasks"] is False
    assert found["deployments"] > 2
    assert Path(found["migrations"]) == site / "poflow" / "db" / "migrations"
    assert Path(found["config_dir"]) == site / "poflow" / "municipalities"
    assert Path(found["templates_dir"]) == site / "poflow" / "templates"
    assert Path(found["data_dir"]) == data
    assert Path(found["home_default"]) == home / ".local" / "share" / "poflow"
    assert Path(found["xdg_default"]) == work / "xdg" / "poflow"
    assert not (work / ".poflow").exists()
