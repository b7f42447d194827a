"""The `hienfeld` command and the packaged layout (issue 18): configuration and web page are package
data, the data folder follows the working directory, `hienfeld serve` runs the packaged Serve config."""

from __future__ import annotations

import fnmatch
import io
import json
import os
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import hienfeld
from deployments.ingress import STATIC_DIR
from deployments.environment import data_dir
from hienfeld.__main__ import main
from hienfeld.config import packaged_config

ROOT = Path(__file__).resolve().parent.parent


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _policy(tmp_path: Path) -> Path:
    rows = "\n".join(f"P{i};Eigen risico € {100 + i},- bij storm" for i in range(30))
    path = tmp_path / "polissen.csv"
    path.write_text(f"Polisnummer;Tekst\n{rows}\n", encoding="utf-8")
    return path


def _no_data_dir_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIENFELD_DATA_DIR", "")  # recorded, so what the code under test sets is undone
    monkeypatch.delenv("HIENFELD_DATA_DIR")


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"hienfeld {hienfeld.__version__}"


def test_analyze_writes_the_report_and_prints_json_only_on_stdout(tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["analyze", str(_policy(tmp_path)), "--mode", "fast", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["report"] == str(out) and summary["stats"]["total_rows"] == 30
    assert out.stat().st_size > 0
    assert captured.err == ""  # no terminal: no bar


def test_analyze_shows_a_bar_on_a_terminal_and_lines_with_verbose(tmp_path, monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["analyze", str(_policy(tmp_path)), "--mode", "fast", "--out", str(tmp_path / "a.xlsx")]) == 0
    assert "100%|" in terminal.getvalue() and "Analyse voltooid!" in terminal.getvalue()
    json.loads(capsys.readouterr().out)  # stdout stays the JSON summary alone

    monkeypatch.undo()
    assert main(["analyze", str(_policy(tmp_path)), "--mode", "fast", "--out", str(tmp_path / "b.xlsx"), "-v"]) == 0
    assert "100% Analyse voltooid!" in capsys.readouterr().err.splitlines()


def test_analyze_names_a_missing_file(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.xlsx"), "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "nope.xlsx: No such file or directory" in capsys.readouterr().err


def test_only_serve_takes_further_arguments(tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["analyze", str(_policy(tmp_path)), "--out", str(tmp_path / "r.xlsx"), "--address", "auto"])
    assert done.value.code == 2


def test_serve_runs_the_packaged_config_with_the_working_directorys_data(tmp_path, monkeypatch, capsys):
    calls = []

    def execv(path: str, argv: list[str]) -> None:
        calls.append(argv)
        raise SystemExit(0)  # execv never returns

    monkeypatch.setattr("os.execv", execv)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAY_worker_niceness", raising=False)
    _no_data_dir_setting(monkeypatch)
    with pytest.raises(SystemExit):
        main(["serve", "--address", "auto"])
    assert calls == [[sys.executable, "-m", "ray.serve.scripts", "run", str(packaged_config("serve_config.yaml")),
                      "--address", "auto"]]
    assert os.environ["HIENFELD_DATA_DIR"] == str(tmp_path / "data")
    assert os.environ["RAY_worker_niceness"] == "0"  # the replicas do not yield to other work on the node
    assert "Web page: http://127.0.0.1:8000/" in capsys.readouterr().out

    with pytest.raises(SystemExit):
        main(["serve", "--port", "18999"])
    config = Path(calls[-1][4])
    assert config == tmp_path / "data" / "serve_config.yaml"
    assert yaml.safe_load(config.read_text())["http_options"] == {"host": "127.0.0.1", "port": 18999}
    assert "Web page: http://127.0.0.1:18999/" in capsys.readouterr().out


def test_data_folder_defaults_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _no_data_dir_setting(monkeypatch)
    assert data_dir() == tmp_path / "data"


def test_every_packaged_file_is_in_the_wheels_package_data():
    """What the code opens through importlib.resources must match pyproject.toml's package-data,
    or a wheel installs without it (an editable checkout would not show it)."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    opened = {"hienfeld": [packaged_config(n) for n in ("analysis.yaml", "masking.yaml", "serve_config.yaml")],
              "deployments": sorted(Path(STATIC_DIR).iterdir())}
    for package, files in opened.items():
        base = ROOT / package
        for file in files:
            assert file.is_file(), file
            name = file.relative_to(base).as_posix()
            assert any(fnmatch.fnmatch(name, glob) for glob in package_data[package]), name
