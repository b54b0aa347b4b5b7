"""The `recordmatch` command, run in-process through click's CliRunner."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_init_creates_and_refuses_to_overwrite(ws_path: Path) -> None:
    code, out, _ = run("init", ws_path)
    assert code == 0
    assert "created workspace" in out
    code, _, err = run("init", ws_path)
    assert code == 1
    assert "already exists" in err


def test_import_prints_mapping_and_counts_then_export_lists_every_record(
    ws_path: Path, sample_dir: Path, tmp_path: Path
) -> None:
    total = 0
    for name in ("clerk", "arrest", "disposition"):
        code, out, err = run(
            "import",
            ws_path,
            sample_dir / f"{name}.csv",
            "--source",
            name,
            "--kind",
            name,
        )
        assert code == 0, err
        assert "<-" in out, "the guessed mapping is shown"
        assert "imported" in out
        total += int(out.split("imported")[1].split()[0].replace(",", ""))
    out_csv = tmp_path / "identities.csv"
    code, out, err = run("export", ws_path, "--out", out_csv)
    assert code == 0, err
    with out_csv.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["identity_id", "source", "record_id"]
    keys = [(r[1], r[2]) for r in rows[1:]]
    assert len(keys) == total == len(set(keys))
    code, out, _ = run("status", ws_path)
    assert code == 0
    assert f"records: {total:,}" in out


def test_import_errors_name_the_file_and_exit_non_zero(
    ws_path: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _, err = run("import", ws_path, empty, "--source", "x")
    assert code == 1
    assert "empty.csv" in err
    assert "Traceback" not in err


def test_unknown_map_field_lists_the_valid_fields(
    ws_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    path.write_text('NAME\n"SMITH, JOHN"\n')
    code, _, err = run(
        "import", ws_path, path, "--source", "a", "--map", "shoe_size=NAME"
    )
    assert code == 1
    assert "shoe_size" in err
    assert "last_name" in err


def test_preview_writes_nothing(ws_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('NAME,DOB\n"SMITH, JOHN",1/2/1980\n')
    code, out, _ = run("import", ws_path, path, "--source", "a", "--preview")
    assert code == 0
    assert "full_name" in out
    assert not ws_path.exists()


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help text"
        code, out, _ = run(name, "--help")
        assert code == 0
        assert "Example" in out, f"{name} --help shows no example"


def test_commands_log_who_opened_the_workspace(ws_path: Path, tmp_path: Path) -> None:
    import json
    import sqlite3

    path = tmp_path / "a.csv"
    path.write_text('NAME\n"SMITH, JOHN"\n')
    run("import", ws_path, path, "--source", "a", "--reviewer", "Ann Clerk")
    run("export", ws_path, "--out", tmp_path / "ids.csv", "--reviewer", "Bo Audit")
    db = sqlite3.connect(ws_path)
    rows = db.execute("SELECT actor, action, details FROM log ORDER BY id").fetchall()
    db.close()
    actions = [(a, act, json.loads(d).get("purpose")) for a, act, d in rows]
    assert ("Ann Clerk", "open", "import") in actions
    assert ("Ann Clerk", "import", None) in actions
    assert ("Bo Audit", "open", "export") in actions
    assert ("Bo Audit", "export", None) in actions


def test_a_reviewer_cannot_take_the_models_name(tmp_path: Path) -> None:
    """'model' marks the automatic links in the ledger; nobody may sign as it."""
    ws = tmp_path / "w.rmws"
    result = CliRunner().invoke(cli, ["init", str(ws), "--reviewer", "Model"])
    assert result.exit_code == 1
    assert "choose your own name" in result.output
    assert not ws.exists()
