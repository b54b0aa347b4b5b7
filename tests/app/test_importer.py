"""Import: every row imported or rejected, and nothing half-written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.errors import InputError
from app.importer import import_file
from app.workspace.core import Connection
from matching.progress import Cancelled
from tests.conftest import TODAY, snapshot

SAMPLES = [
    ("clerk.csv", "clerk"),
    ("arrest.csv", "arrest"),
    ("disposition.csv", "disposition"),
]


def _data_rows(path: Path, encoding: str, delimiter: str) -> int:
    with path.open(encoding=encoding, newline="") as fh:
        return sum(1 for row in csv.reader(fh, delimiter=delimiter) if row) - 1


def _count(conn: Connection, sql: str, *args: object) -> int:
    return int(conn.conn.execute(sql, args).fetchone()[0])


@pytest.mark.parametrize(("name", "kind"), SAMPLES)
def test_sample_file_accounts_for_every_row(
    conn: Connection, sample_dir: Path, name: str, kind: str
) -> None:
    summary = import_file(conn, sample_dir / name, source=kind, kind=kind, today=TODAY)
    imp = conn.conn.execute(
        "SELECT encoding, delimiter FROM imports WHERE id = ?", (summary.import_id,)
    ).fetchone()
    expected = _data_rows(sample_dir / name, imp[0], imp[1])
    assert summary.rows_total == expected
    assert summary.rows_imported + summary.rows_rejected == summary.rows_total
    assert _count(conn, "SELECT count(*) FROM records") == summary.rows_imported
    assert _count(conn, "SELECT count(*) FROM rejects") == summary.rows_rejected
    # The guess found a name, a birth date and the event facts in every layout.
    mapped = json.loads(conn.conn.execute("SELECT mapping FROM imports").fetchone()[0])
    assert {"dob", "statute"} <= set(mapped)
    assert {"full_name", "last_name"} & set(mapped)
    named = _count(conn, "SELECT count(*) FROM records WHERE last_name IS NOT NULL")
    assert named >= 0.99 * summary.rows_imported


def test_sample_ids_match_the_ground_truth_line_numbers(
    conn: Connection, sample_dir: Path
) -> None:
    """The default record id is the row's physical line, as truth.csv says."""
    for name, kind in SAMPLES:
        import_file(conn, sample_dir / name, source=kind, kind=kind, today=TODAY)
    with (sample_dir / "truth.csv").open(newline="") as fh:
        truth = {(r["source"], r["record_id"]) for r in csv.DictReader(fh)}
    stored = set(
        conn.conn.execute(
            "SELECT s.name, r.record_id FROM records r "
            "JOIN sources s ON s.id = r.source_id"
        ).fetchall()
    )
    assert stored == truth


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_explicit_map_for_headers_nobody_could_guess(
    conn: Connection, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "odd.csv",
        'C1,C2,C3,C4\nK-1,"Smith, John A",04/05/1981,QQ\n'
        'K-2,"Doe, Jane",1990-12-31,QQ\n',
    )
    summary = import_file(
        conn,
        path,
        source="odd",
        overrides=["record_id=C1", "full_name=C2", "dob=C3", "statute=C4"],
        today=TODAY,
    )
    assert summary.rows_imported == 2
    rows = conn.conn.execute(
        "SELECT record_id, first_name, middle_name, last_name, dob, statute "
        "FROM records ORDER BY record_id"
    ).fetchall()
    assert rows == [
        ("K-1", "JOHN", "A", "SMITH", "1981-04-05", "QQ"),
        ("K-2", "JANE", None, "DOE", "1990-12-31", "QQ"),
    ]


def test_original_row_is_kept_beside_the_normalised_fields(
    conn: Connection, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "a.csv",
        "Last Name;First Name;DOB;Gender;Extra\nMuñoz-Pérez;José;3/4/85;MALE;keep me\n",
        "cp1252",
    )
    import_file(conn, path, source="a", today=TODAY)
    raw, last, first, dob, sex = conn.conn.execute(
        "SELECT raw, last_name, first_name, dob, sex FROM records"
    ).fetchone()
    assert json.loads(raw) == ["Muñoz-Pérez", "José", "3/4/85", "MALE", "keep me"]
    assert (last, first, dob, sex) == ("MUNOZ PEREZ", "JOSE", "1985-03-04", "M")


def test_ragged_and_empty_rows_are_rejected_with_line_and_reason(
    conn: Connection, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "r.csv",
        'NAME,DOB,NOTE\n"SMITH, JOHN",01/02/1980,"two\nlines"\n'
        '"DOE, JANE",01/02/1981\n,,\n"ROE, RICK",01/02/1982,x,y\n'
        '"LEE, AL",1/1/1970,ok\n',
    )
    summary = import_file(conn, path, source="r", today=TODAY)
    assert (summary.rows_total, summary.rows_imported, summary.rows_rejected) == (
        5,
        2,
        3,
    )
    rejects = conn.conn.execute(
        "SELECT line, reason FROM rejects ORDER BY line"
    ).fetchall()
    assert rejects == [
        (4, "row has 2 fields, the header has 3"),
        (5, "row has no values"),
        (6, "row has 4 fields, the header has 3"),
    ]
    lines = [r[0] for r in conn.conn.execute("SELECT line FROM records ORDER BY line")]
    assert lines == [2, 7]


def test_unreadable_values_are_left_empty_with_a_problem_not_guessed(
    conn: Connection, tmp_path: Path
) -> None:
    path = _write(tmp_path / "d.csv", 'NAME,DOB,AGE\n"SMITH, JOHN",02/30/1985,212\n')
    summary = import_file(conn, path, source="d", today=TODAY)
    assert summary.rows_imported == 1
    assert summary.problem_counts == {"dob": 1, "age": 1}
    dob, age, problems = conn.conn.execute(
        "SELECT dob, age, problems FROM records"
    ).fetchone()
    assert dob is None
    assert age is None
    assert any("02/30/1985" in p for p in json.loads(problems))


def test_duplicate_record_ids_are_rejected(conn: Connection, tmp_path: Path) -> None:
    path = _write(tmp_path / "i.csv", 'ID,NAME\n7,"A, B"\n7,"C, D"\n,"E, F"\n')
    summary = import_file(
        conn, path, source="i", overrides=["record_id=ID"], today=TODAY
    )
    reasons = [
        r[0] for r in conn.conn.execute("SELECT reason FROM rejects ORDER BY line")
    ]
    assert summary.rows_imported == 1
    assert reasons == ["record id '7' repeats line 2", "record id column 'ID' is empty"]


BAD_FILES = {
    "empty.csv": (b"", "empty"),
    "blank.csv": (b"\n\n  \n", "empty"),
    "binary.csv": (b"\x00\x01\x02PK\x00\x00" * 50, "binary"),
    "noheader.csv": (b"SMITH,JOHN,01/02/1980\nDOE,JANE,03/04/1981\n", "header"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_one_clear_error_and_change_nothing(
    conn: Connection, ws_path: Path, tmp_path: Path, name: str
) -> None:
    content, word = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(ws_path)
    with pytest.raises(InputError) as err:
        import_file(conn, path, source="bad", today=TODAY)
    message = str(err.value)
    assert message.startswith(name)
    assert "\n" not in message
    assert word in message.lower()
    assert snapshot(ws_path) == before


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ("nonsense=NAME", "unknown field"),
        ("dob=NO_SUCH", "no column"),
        ("dob", "FIELD=COLUMN"),
    ],
)
def test_bad_map_is_refused_and_changes_nothing(
    conn: Connection, ws_path: Path, tmp_path: Path, override: str, needle: str
) -> None:
    path = _write(tmp_path / "m.csv", 'NAME,DOB\n"SMITH, JOHN",01/02/1980\n')
    before = snapshot(ws_path)
    with pytest.raises(InputError, match=needle):
        import_file(conn, path, source="m", overrides=[override], today=TODAY)
    assert snapshot(ws_path) == before


def test_same_file_twice_is_refused(
    conn: Connection, ws_path: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path / "x.csv", 'NAME,DOB\n"SMITH, JOHN",01/02/1980\n')
    import_file(conn, path, source="x", today=TODAY)
    before = snapshot(ws_path)
    copy = _write(tmp_path / "copy.csv", path.read_text())
    with pytest.raises(InputError, match="already imported as source 'x'"):
        import_file(conn, copy, source="y", today=TODAY)
    assert snapshot(ws_path) == before


def test_cancel_rolls_the_whole_import_back(
    conn: Connection, ws_path: Path, sample_dir: Path
) -> None:
    before = snapshot(ws_path)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return True

    with pytest.raises(Cancelled):
        import_file(conn, sample_dir / "clerk.csv", source="clerk", cancel=cancel)
    assert calls
    assert snapshot(ws_path) == before


def test_failure_mid_file_rolls_back(
    conn: Connection, ws_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while writing (disk full, a bug) must not leave half a file imported."""
    import app.importer as importer

    path = _write(
        tmp_path / "big.csv",
        "NAME,DOB\n" + "".join(f'"SMITH, JOHN{i}",01/02/1980\n' for i in range(12_000)),
    )
    before = snapshot(ws_path)
    calls = {"n": 0}
    real = importer.store.insert_records

    def failing(db: object, rows: list[tuple[object, ...]]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("database or disk is full")
        real(db, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(importer.store, "insert_records", failing)
    with pytest.raises(OSError, match="disk is full"):
        import_file(conn, path, source="big", today=TODAY)
    assert snapshot(ws_path) == before


def test_newer_export_updates_changed_rows_and_keeps_old_values(
    conn: Connection, tmp_path: Path
) -> None:
    old = _write(
        tmp_path / "v1.csv",
        'ID,NAME,DOB\n1,"SMITH, JOHN",01/02/1980\n2,"DOE, JANE",1/1/1970\n',
    )
    new = _write(
        tmp_path / "v2.csv",
        'ID,NAME,DOB\n1,"SMITH, JOHN",01/02/1981\n2,"DOE, JANE",1/1/1970\n'
        '3,"ROE, RICK",1/1/1990\n',
    )
    import_file(conn, old, source="s", overrides=["record_id=ID"], today=TODAY)
    summary = import_file(
        conn, new, source="s", overrides=["record_id=ID"], today=TODAY
    )
    assert (summary.rows_new, summary.rows_updated, summary.rows_imported) == (1, 1, 3)
    rows = conn.conn.execute(
        "SELECT record_id, dob, version FROM records ORDER BY record_id"
    ).fetchall()
    assert rows == [
        ("1", "1981-01-02", 2),
        ("2", "1970-01-01", 1),
        ("3", "1990-01-01", 1),
    ]
    kept = conn.conn.execute("SELECT raw FROM record_versions").fetchall()
    assert [json.loads(r[0])[2] for r in kept] == ["01/02/1980"]


def test_newer_export_is_never_matched_by_line_number_unasked(
    conn: Connection, ws_path: Path, tmp_path: Path
) -> None:
    """One deleted row would shift every later person onto another's record."""
    old = _write(
        tmp_path / "v1.csv", 'NAME,DOB\n"SMITH, JOHN",1/2/1980\n"DOE, JANE",1/1/1970\n'
    )
    new = _write(tmp_path / "v2.csv", 'NAME,DOB\n"DOE, JANE",1/1/1970\n')
    first = import_file(conn, old, source="s", today=TODAY)
    assert any("no record id column" in w for w in first.warnings)
    before = snapshot(ws_path)
    with pytest.raises(InputError, match="known by line number"):
        import_file(conn, new, source="s", today=TODAY)
    assert snapshot(ws_path) == before


def test_newer_export_must_map_the_record_id_again(
    conn: Connection, ws_path: Path, tmp_path: Path
) -> None:
    old = _write(tmp_path / "v1.csv", 'ID,NAME\n1,"SMITH, JOHN"\n')
    new = _write(tmp_path / "v2.csv", 'ID,NAME\n1,"SMITH, JON"\n')
    import_file(conn, old, source="s", overrides=["record_id=ID"], today=TODAY)
    before = snapshot(ws_path)
    with pytest.raises(InputError, match="last time: 'ID'"):
        import_file(conn, new, source="s", overrides=["record_id="], today=TODAY)
    assert snapshot(ws_path) == before


def test_kind_must_match_an_existing_source(conn: Connection, tmp_path: Path) -> None:
    a = _write(tmp_path / "a.csv", 'NAME\n"SMITH, JOHN"\n')
    b = _write(tmp_path / "b.csv", 'NAME\n"DOE, JANE"\n')
    import_file(conn, a, source="s", kind="clerk", today=TODAY)
    with pytest.raises(InputError, match="holds clerk records"):
        import_file(conn, b, source="s", kind="arrest", today=TODAY)


def test_each_new_record_is_its_own_identity(
    conn: Connection, sample_dir: Path
) -> None:
    summary = import_file(
        conn, sample_dir / "arrest.csv", source="arrest", kind="arrest"
    )
    assert (
        _count(conn, "SELECT count(DISTINCT identity_id) FROM records")
        == summary.rows_imported
    )
    assert conn.info("next_identity_id") == str(summary.rows_imported + 1)


def test_worker_process_and_inline_imports_are_identical(
    tmp_path: Path, sample_dir: Path
) -> None:
    """Normalising on the second core must not change a single stored value."""
    from app.actor import Actor
    from app.workspace import open_workspace

    dumps = []
    for parallel in (False, True):
        path = tmp_path / f"p{parallel}.rmws"
        conn = open_workspace(path, create=True, actor=Actor("t", "t"))
        import_file(
            conn,
            sample_dir / "clerk.csv",
            source="clerk",
            kind="clerk",
            today=TODAY,
            parallel=parallel,
        )
        rows = conn.conn.execute("SELECT * FROM records ORDER BY id").fetchall()
        conn.close()
        dumps.append(rows)
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) > 100


def _records_indexes(conn: Connection) -> list[tuple[str, str]]:
    return conn.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'records' ORDER BY name"
    ).fetchall()


def test_batches_split_between_worker_and_importer_store_the_same_values(
    tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the worker lags, the importer normalises batches itself: same rows."""
    from app import import_job
    from app.actor import Actor
    from app.workspace import open_workspace

    monkeypatch.setattr(import_job, "BATCH_ROWS", 40)
    dumps = []
    for parallel, backlog in ((False, 99), (True, 1)):
        monkeypatch.setattr(import_job, "_WORKER_BACKLOG", backlog)
        path = tmp_path / f"p{parallel}.rmws"
        conn = open_workspace(path, create=True, actor=Actor("t", "t"))
        indexes = _records_indexes(conn)
        import_file(
            conn,
            sample_dir / "arrest.csv",
            source="arrest",
            kind="arrest",
            today=TODAY,
            parallel=parallel,
        )
        # A big file into an empty workspace is indexed once at the end; the
        # indexes are the schema's own again afterwards.
        assert _records_indexes(conn) == indexes
        dumps.append(conn.conn.execute("SELECT * FROM records ORDER BY id").fetchall())
        conn.close()
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) > 100


def test_cancelled_bulk_import_keeps_the_indexes(
    conn: Connection, ws_path: Path, sample_dir: Path
) -> None:
    indexes = _records_indexes(conn)
    before = snapshot(ws_path)
    with pytest.raises(Cancelled):
        import_file(
            conn,
            sample_dir / "clerk.csv",
            source="clerk",
            parallel=True,
            cancel=lambda: True,
        )
    assert _records_indexes(conn) == indexes
    assert snapshot(ws_path) == before
