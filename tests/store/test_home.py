"""The home folder: private (created 0700, every file in it 0600, whatever the umask), and one per
project, found like git finds a repository."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REQUEST = (
    '{"principal": {"type": "User", "id": "ann"}, "action": "train",'
    ' "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"]},'
    ' "context": {"purpose": "marketing"}}'
)
CANARY = "zq7x41.canary@probemail-dw.net"


def _dataward(args: list[str], cwd: Path, home: Path, umask: int) -> None:
    env = {**os.environ, "DATAWARD_HOME": str(home)}
    env.pop("DATAWARD_DATABASE_URL", None)
    code = "from dataward.cli.main import run; run()"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        umask=umask,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_home_and_its_files_are_private(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "deep" / "home"
    (tmp_path / "request.json").write_text(REQUEST)
    (tmp_path / "in.csv").write_text(f"id,email\n1,{CANARY}\n2,ann@example.org\n")
    _dataward(["decide", "request.json"], tmp_path, home, umask)  # the store, signing keys
    _dataward(["protect", "in.csv", "out.csv", "-q"], tmp_path, home, umask)  # key ring, cache
    modes = {str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode) for p in home.rglob("*")}
    modes["deep"] = stat.S_IMODE((tmp_path / "deep").stat().st_mode)
    modes["deep/home"] = stat.S_IMODE(home.stat().st_mode)
    assert "deep/home/dataward.db" in modes and "deep/home/keys.json" in modes
    wrong = {
        name: f"{mode:04o}"
        for name, mode in modes.items()
        if mode != (0o700 if (tmp_path / name).is_dir() else 0o600)
    }
    assert wrong == {}


def test_an_existing_database_open_to_others_is_tightened(tmp_path: Path) -> None:
    from dataward.store import open_store

    db = tmp_path / "old.db"
    db.touch()
    db.chmod(0o644)
    open_store(f"sqlite:///{db}").close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


# -- which home: found like git finds a repository ------------------------------------------


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A process environment with no DATAWARD_HOME whose ~ and XDG data folder are in tmp_path
    (a test never touches the real home folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    env.update(HOME=str(tmp_path / "user"), XDG_DATA_HOME=str(tmp_path / "user" / "xdg"))
    env["DATAWARD_CACHE_DIR"] = os.environ.get("DATAWARD_CACHE_DIR", str(tmp_path / "cache"))
    env.update(extra)
    return env


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from dataward.cli.main import run; run()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path/user/project`` with a home made by ``dataward init`` and nested folders;
    DATAWARD_HOME unset, ~ and XDG_DATA_HOME inside tmp_path."""
    from dataward.store.home import adopt_home

    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DATAWARD_HOME", raising=False)
    root = tmp_path / "user" / "project"
    (root / "a" / "b").mkdir(parents=True)
    (root / "c").mkdir()
    assert adopt_home(root / ".dataward") is True
    return root


def test_the_home_is_found_upward_from_a_nested_folder(project: Path) -> None:
    from dataward.settings import HOME_MARKER, find_home

    found = find_home(project / "a" / "b")
    assert found.path == project / ".dataward" and found.source == "found"
    assert (project / ".dataward" / HOME_MARKER).is_file()
    assert stat.S_IMODE((project / ".dataward").stat().st_mode) == 0o700


def test_the_user_default_when_no_home_is_above(tmp_path: Path, project: Path) -> None:
    import platformdirs

    from dataward.settings import find_home

    elsewhere = tmp_path / "user" / "other"
    elsewhere.mkdir()
    found = find_home(elsewhere)
    assert found.source == "default"
    assert found.path == platformdirs.user_data_path("dataward", appauthor=False)
    assert tmp_path in found.path.parents  # HOME / XDG_DATA_HOME of the test, not the real ~


def test_the_search_stops_at_your_home_folder(tmp_path: Path, project: Path) -> None:
    from dataward.settings import find_home
    from dataward.store.home import adopt_home

    adopt_home(tmp_path / ".dataward")  # above ~ (tmp_path/user): never looked at
    (tmp_path / "user" / "elsewhere").mkdir()
    assert find_home(tmp_path / "user" / "elsewhere").source == "default"


def test_env_wins_over_a_home_found_upward(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.settings import Settings

    monkeypatch.chdir(project / "a")
    monkeypatch.setenv("DATAWARD_HOME", "../elsewhere")
    settings = Settings()
    assert settings.home == project / "elsewhere" and settings.home_source == "env"
    monkeypatch.delenv("DATAWARD_HOME")
    settings = Settings()
    assert settings.home == project / ".dataward" and settings.home_source == "found"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("kind", ["foreign", "world-writable", "group-writable", "a file"])
def test_an_unsafe_home_found_upward_is_refused_not_replaced(
    tmp_path: Path, project: Path, kind: str
) -> None:
    from dataward.errors import ConfigError
    from dataward.settings import HOME_MARKER, find_home

    home = project / ".dataward"
    if kind == "foreign":
        (home / HOME_MARKER).unlink()
        (home / "theirs.txt").write_text("not ours")
    elif kind == "a file":
        (home / HOME_MARKER).unlink()
        home.rmdir()
        home.write_text("not a folder")
    else:
        home.chmod(0o777 if kind == "world-writable" else 0o770)
    before = sorted(p.name for p in home.iterdir()) if home.is_dir() else home.read_text()
    with pytest.raises(ConfigError, match="refusing the home found") as err:
        find_home(project / "a" / "b")
    assert str(home) in str(err.value) and "DATAWARD_HOME" in str(err.value)
    # a writing command stops with one line (exit 2: configuration) and changes nothing there
    (project / "a" / "in.csv").write_text(f"id,email\n1,{CANARY}\n")
    done = _cli(["protect", "in.csv", "out.csv", "-q"], project / "a", _env(tmp_path))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: {home}: refusing the home found")
    after = sorted(p.name for p in home.iterdir()) if home.is_dir() else home.read_text()
    assert after == before and not (project / "a" / "out.csv").exists()
    assert not (tmp_path / "user" / "xdg").exists()  # no silent fallback to another home


def test_two_folders_of_one_project_give_the_same_token(tmp_path: Path, project: Path) -> None:
    tokens = []
    for folder in (project / "a" / "b", project / "c"):
        (folder / "in.csv").write_text(f"id,email\n1,{CANARY}\n")
        done = _cli(["protect", "in.csv", "out.csv", "-q"], folder, _env(tmp_path))
        assert done.returncode == 0, done.stderr
        assert "created home" not in done.stderr  # dataward init made it
        out = (folder / "out.csv").read_text()
        assert CANARY not in out
        tokens.append(out.splitlines()[1].split(",")[1])
    # before: each folder made its own ./.dataward and key ring, and the tokens differed
    assert tokens[0] == tokens[1] and tokens[0].strip('"').startswith("tok_")
    assert not (project / "a" / "b" / ".dataward").exists()
    assert (project / ".dataward" / "keys.json").is_file()


def test_a_command_says_once_which_home_it_created(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "in.csv").write_text(f"id,email\n1,{CANARY}\n")
    default = tmp_path / "user" / "xdg" / "dataward"
    first = _cli(["protect", "in.csv", "out.csv", "-q"], tmp_path / "work", _env(tmp_path))
    assert first.returncode == 0, first.stderr
    assert first.stderr == f"dataward: created home {default}\n"
    assert (default / "keys.json").is_file() and not (tmp_path / "work" / ".dataward").exists()
    again = _cli(["protect", "in.csv", "out2.csv", "-q"], tmp_path / "work", _env(tmp_path))
    assert again.returncode == 0 and again.stderr == ""


def test_dataward_home_says_which_home_and_hides_the_password(tmp_path: Path) -> None:
    work = tmp_path / "user" / "project"
    work.mkdir(parents=True)
    init = _cli(["init"], work, _env(tmp_path))
    assert init.returncode == 0 and init.stderr == f"dataward: created home {work / '.dataward'}\n"
    (work / "sub").mkdir()
    (work / "sub" / "in.csv").write_text(f"id,email\n1,{CANARY}\n")
    assert (
        _cli(["protect", "in.csv", "out.csv", "-q"], work / "sub", _env(tmp_path)).returncode == 0
    )
    url = "postgresql+psycopg://ann:s3cr3t-pw@db.example:5432/dw"
    shown = _cli(["home"], work / "sub", _env(tmp_path, DATAWARD_DATABASE_URL=url))
    assert shown.returncode == 0, shown.stderr
    from dataward.protect import KeyRing

    fingerprint = KeyRing.load(work / ".dataward" / "keys.json").fingerprint
    assert shown.stdout.splitlines() == [
        f"home:     {work / '.dataward'}",
        "source:   found upward from the working directory",
        "config:   none",
        "store:    postgresql+psycopg://ann:***@db.example:5432/dw",
        f"key ring: {fingerprint}",
    ]
    assert "s3cr3t" not in shown.stdout + shown.stderr
    as_json = _cli(["home", "--json"], tmp_path, _env(tmp_path, DATAWARD_HOME=str(work / "x")))
    info = json.loads(as_json.stdout)
    assert info["source"] == "env" and info["home"] == str(work / "x")
    assert info["exists"] is False and info["keyring"] is None and info["config"] is None
    assert not (work / "x").exists()  # showing the home creates nothing


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_init_marks_an_older_home_it_may_use_and_refuses_an_unsafe_one(
    tmp_path: Path, cli: Any
) -> None:
    from dataward.settings import HOME_MARKER

    old = tmp_path / ".dataward"  # made by an older Dataward: no marker file
    old.mkdir(mode=0o700)
    (old / "keys.json").write_text("{}")
    done = cli("init")
    assert done.code == 0 and f"using existing home {old}" in done.err
    assert (old / HOME_MARKER).is_file() and (old / "keys.json").read_text() == "{}"
    (old / HOME_MARKER).unlink()
    old.chmod(0o777)
    refused = cli("init")
    assert refused.code == 2 and "may be written by group or others" in refused.err
    assert not (old / HOME_MARKER).exists()


# -- which dataward.yaml: the working directory's, else the project root's -------------------


def test_a_nested_folder_reads_the_project_roots_settings(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.settings import Settings

    (project / "dataward.yaml").write_text(
        "detect:\n  threshold: 0.9\npolicy:\n  mode: shadow\n  paths: [policies/]\n"
    )
    monkeypatch.chdir(project / "a" / "b")
    settings = Settings()
    # before: only ./dataward.yaml was read, so a subfolder ran on the defaults (0.5, enforce)
    assert settings.config_file == project / "dataward.yaml"
    assert settings.threshold == 0.9 and settings.policy.mode == "shadow"
    assert settings.policy.paths == [project / "policies"]  # as written, from the root
    (project / "a" / "b" / "dataward.yaml").write_text("detect:\n  threshold: 0.7\n")
    settings = Settings()  # the working directory's file wins, and is the only one read
    assert settings.config_file == project / "a" / "b" / "dataward.yaml"
    assert settings.threshold == 0.7 and settings.policy.mode == "enforce"
    assert settings.policy.paths == []


def test_a_settings_file_above_the_project_root_is_not_read(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.settings import Settings, find_config

    (tmp_path / "user" / "dataward.yaml").write_text("detect:\n  threshold: 0.9\n")
    monkeypatch.chdir(project / "a")
    assert find_config() is None and Settings().threshold == 0.5
    (tmp_path / "user" / "other").mkdir()  # no home above: only ./dataward.yaml counts
    assert find_config(tmp_path / "user" / "other") is None


def test_the_settings_cache_keys_on_the_project_roots_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.settings import get_settings

    monkeypatch.chdir(project / "a")
    assert get_settings().threshold == 0.5 and get_settings().config_file is None
    (project / "dataward.yaml").write_text("detect:\n  threshold: 0.9\n")
    assert get_settings().threshold == 0.9
    (project / "dataward.yaml").write_text("detect:\n  threshold: 0.8\n")
    assert get_settings().threshold == 0.8
    (project / "dataward.yaml").write_text("detect:\n  thresold: 0.8\n")
    from dataward.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown setting") as err:
        get_settings()
    assert str(project / "dataward.yaml") in str(err.value)  # names the file that was read


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_settings_beside_an_unsafe_dataward_are_refused(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.errors import ConfigError
    from dataward.settings import get_settings

    (project / "dataward.yaml").write_text("policy:\n  mode: shadow\n")
    (project / ".dataward").chmod(0o777)
    monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "elsewhere"))  # the home is not it
    monkeypatch.chdir(project / "a")
    with pytest.raises(ConfigError, match="refusing the settings beside"):
        get_settings()


def test_dataward_home_shows_the_settings_file(tmp_path: Path, project: Path) -> None:
    (project / "dataward.yaml").write_text("detect:\n  threshold: 0.9\n")
    shown = _cli(["home"], project / "a" / "b", _env(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert f"config:   {project / 'dataward.yaml'}" in shown.stdout.splitlines()
    as_json = _cli(["home", "--json"], project / "c", _env(tmp_path))
    assert json.loads(as_json.stdout)["config"] == str(project / "dataward.yaml")
