"""`pip install .` (not editable) gives a working service: a wheel built from the sources, installed
in a fresh virtualenv, migrates, loads the seed and serves pages; its secret stays outside the package.

Offline: the wheel is built with this environment's setuptools (--no-build-isolation, --no-index) and
installed with --no-deps; the new virtualenv finds the dependencies through a .pth file naming this
environment's site-packages (which holds no copy of the timeline package: it is an editable install).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest

from support.server import ROOT, Gunicorn

SOURCES = ["pyproject.toml", "README.md", "timeline", "templates", "migrations", "seed"]
# Folders of the checkout and where the wheel puts them.
SHIPPED = {"timeline": "timeline", "templates": "timeline/templates", "migrations": "timeline/migrations",
           "seed": "timeline/seed"}  # fmt: skip


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources (the build leaves nothing in the checkout)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, src / name)
    output = run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(root / "dist"), str(src)],
        cwd=root,
    )  # fmt: skip
    # The package configuration is complete: setuptools has nothing to warn about.
    warnings = [line for line in output.splitlines() if "Warning" in line or "!!" in line]
    assert warnings == [], "\n".join(warnings)
    (built,) = (root / "dist").glob("stance_timeline-*.whl")
    return built


def test_the_wheel_holds_every_template_migration_seed_and_static_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, inside in SHIPPED.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"{inside}/{path.relative_to(ROOT / folder).as_posix()}" in names, path


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed (no network, no dependencies downloaded)."""
    home = tmp_path_factory.mktemp("venv") / "env"
    run([sys.executable, "-m", "venv", "--without-pip", str(home)], cwd=home.parent)
    python = home / "bin" / "python"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=home.parent,
    )
    site = Path(
        run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], home).strip()
    )
    (site / "_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return home


def test_the_installed_wheel_migrates_seeds_and_serves_pages(venv: Path, databases, tmp_path: Path) -> None:
    python = str(venv / "bin" / "python")
    workdir, instance = tmp_path / "site", tmp_path / "instance"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_") and k != "PYTHONPATH"}
    env.update(
        TIMELINE_DATABASE_URL=databases.new(migrated=False),
        TIMELINE_INSTANCE_PATH=str(instance),
        TIMELINE_FEED_INTERVAL="0",
    )
    where = run([python, "-c", "import timeline; print(timeline.__file__)"], workdir, env).strip()
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout
    flask = [python, "-m", "flask", "--app", "timeline"]
    assert "Database at head." in run([*flask, "db", "upgrade"], workdir, env)
    seeded = run([*flask, "seed"], workdir, env)
    events = len(json.loads((ROOT / "seed" / "russia-iran-biden-era.json").read_text())["events"])
    assert f"0 events present, {events} added" in seeded
    with Gunicorn(env, tmp_path / "gunicorn.log", python=python, cwd=workdir) as server:
        with urllib.request.urlopen(f"{server.base_url}/actors/russia", timeout=30) as page:
            assert "not a firefighting rescue crew" in page.read().decode()
        with urllib.request.urlopen(f"{server.base_url}/static/site.css", timeout=30) as css:
            assert css.status == 200 and len(css.read()) > 100
    # The secret key lives in the instance folder, never inside the installed package.
    assert (instance / "secret_key").is_file()
    package = Path(where).parent
    assert not list(package.rglob("secret_key")) and not (package / "instance").exists()


def test_the_instance_folder_defaults_to_instance_in_the_working_directory(
    venv: Path, tmp_path: Path
) -> None:
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")}
    code = "import timeline; print(timeline.create_app().instance_path, timeline.__file__)"
    instance_path, module = run([python, "-c", code], tmp_path, env).split()
    assert instance_path == str(tmp_path / "instance")
    assert (tmp_path / "instance" / "secret_key").is_file()
    # Started from inside the installed package, it refuses instead of writing a secret there.
    package = Path(module).parent
    result = subprocess.run([python, "-c", code], cwd=package, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "TIMELINE_INSTANCE_PATH" in result.stderr
    assert not list(package.rglob("secret_key"))
