"""Forward-only schema migrations, versioned by ``PRAGMA user_version``.

A workspace made by any release must open in every later one, so each schema
change is a new function appended to ``MIGRATIONS``; an applied migration is
never edited. Each migration runs in the same transaction as the bump of
``user_version``, so a crash leaves the file at the old version, not between.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would COMMIT first; splitting on complete statements keeps
    trigger bodies (which contain semicolons) whole.
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError("incomplete SQL statement in migration")


def _v1_workspace(conn: sqlite3.Connection) -> None:
    """Sources, imports, records, rejects, identity bookkeeping and the log."""
    _script(
        conn,
        """
        CREATE TABLE workspace_info (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE sources (
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL
                 CHECK (kind IN ('clerk', 'arrest', 'disposition', 'other'))
        );
        CREATE TABLE imports (
            id            INTEGER PRIMARY KEY,
            source_id     INTEGER NOT NULL REFERENCES sources(id),
            file_name     TEXT NOT NULL,
            sha256        TEXT NOT NULL UNIQUE,
            file_size     INTEGER NOT NULL,
            format        TEXT NOT NULL,
            encoding      TEXT,
            delimiter     TEXT,
            headers       TEXT NOT NULL,   -- JSON list, as in the file
            header_line   INTEGER NOT NULL,
            mapping       TEXT NOT NULL,   -- JSON {field: column}
            imported_at   TEXT NOT NULL,   -- UTC ISO 8601
            imported_by   TEXT NOT NULL,
            os_user       TEXT NOT NULL,
            rows_total    INTEGER NOT NULL,
            rows_imported INTEGER NOT NULL,
            rows_new      INTEGER NOT NULL,
            rows_updated  INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL,
            blank_lines   INTEGER NOT NULL,
            field_problems INTEGER NOT NULL
        );
        CREATE TABLE records (
            id             INTEGER PRIMARY KEY,
            source_id      INTEGER NOT NULL REFERENCES sources(id),
            import_id      INTEGER NOT NULL REFERENCES imports(id),
            record_id      TEXT NOT NULL,
            line           INTEGER NOT NULL,
            raw            TEXT NOT NULL,  -- JSON list of every value, header order
            first_name     TEXT, middle_name TEXT, last_name TEXT, suffix TEXT,
            dob            TEXT, age INTEGER, sex TEXT, race TEXT,
            street         TEXT, city TEXT, state TEXT, zip TEXT,
            booking_number TEXT, ir_number TEXT, sid TEXT, fbi_number TEXT,
            case_number    TEXT,
            event_date     TEXT, statute TEXT, charge TEXT, disposition TEXT,
            extra_ids      TEXT,           -- JSON {"id_ssn": ...} or NULL
            problems       TEXT,           -- JSON list of field problems or NULL
            values_hash    TEXT NOT NULL,  -- SHA-256 of the normalised values
            version        INTEGER NOT NULL DEFAULT 1,
            identity_id    INTEGER NOT NULL,
            UNIQUE (source_id, record_id)
        );
        CREATE INDEX records_identity ON records(identity_id);
        CREATE INDEX records_last_name ON records(last_name, first_name);
        CREATE INDEX records_dob ON records(dob);
        -- Earlier values of records that a newer export of the same source changed.
        CREATE TABLE record_versions (
            id          INTEGER PRIMARY KEY,
            record_key  INTEGER NOT NULL REFERENCES records(id),
            version     INTEGER NOT NULL,
            import_id   INTEGER NOT NULL REFERENCES imports(id),
            raw         TEXT NOT NULL,
            values_hash TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            UNIQUE (record_key, version)
        );
        CREATE TABLE rejects (
            id        INTEGER PRIMARY KEY,
            import_id INTEGER NOT NULL REFERENCES imports(id),
            line      INTEGER NOT NULL,
            reason    TEXT NOT NULL,
            raw_text  TEXT NOT NULL
        );
        CREATE INDEX rejects_import ON rejects(import_id, line);
        -- An identity id that was merged into another stays resolvable.
        CREATE TABLE identity_aliases (
            old_id INTEGER PRIMARY KEY,
            new_id INTEGER NOT NULL,
            at     TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        -- Who did what to the workspace: opening, imports, exports, settings.
        CREATE TABLE log (
            id      INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            actor   TEXT NOT NULL,
            os_user TEXT NOT NULL,
            action  TEXT NOT NULL,
            details TEXT NOT NULL          -- JSON, never personal data
        );
        """,
    )


def _v2_linking(conn: sqlite3.Connection) -> None:
    """Runs, model parameters, scored pairs and the append-only decision ledger."""
    _script(
        conn,
        """
        CREATE TABLE runs (
            id          INTEGER PRIMARY KEY,
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            status      TEXT NOT NULL
                        CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
            actor       TEXT NOT NULL,
            os_user     TEXT NOT NULL,
            settings    TEXT NOT NULL,     -- JSON LinkSettings
            model_version TEXT,
            thresholds  TEXT,              -- JSON {"upper": p, "lower": p}
            stats       TEXT               -- JSON: per stage timings and counts
        );
        CREATE TABLE model_params (
            version    TEXT PRIMARY KEY,
            run_id     INTEGER NOT NULL REFERENCES runs(id),
            created_at TEXT NOT NULL,
            params     TEXT NOT NULL,      -- JSON ModelParams
            trained_on TEXT NOT NULL       -- JSON: records, pairs, labels used
        );
        -- One row per record pair ever scored; the id is stable across runs so a
        -- queue file written yesterday still names the same pair today.
        CREATE TABLE pairs (
            id            INTEGER PRIMARY KEY,
            left_key      INTEGER NOT NULL REFERENCES records(id),
            right_key     INTEGER NOT NULL REFERENCES records(id),
            run_id        INTEGER NOT NULL REFERENCES runs(id),
            weight        REAL NOT NULL,
            probability   REAL NOT NULL,
            band          TEXT NOT NULL CHECK (band IN ('auto', 'review', 'below')),
            levels        BLOB NOT NULL,   -- int8 per comparison
            contributions BLOB NOT NULL,   -- float32 per comparison (log2 BF)
            rules         INTEGER NOT NULL,-- bitmask of blocking rules
            priority      REAL NOT NULL DEFAULT 0,
            CHECK (left_key < right_key),
            UNIQUE (left_key, right_key)
        );
        CREATE INDEX pairs_queue ON pairs(band, priority DESC, id);
        CREATE INDEX pairs_right ON pairs(right_key);
        -- The decision ledger: appended, never changed. Each entry's hash covers
        -- its canonical JSON and the previous entry's hash.
        CREATE TABLE ledger (
            seq             INTEGER PRIMARY KEY,
            at              TEXT NOT NULL,
            actor           TEXT NOT NULL,
            os_user         TEXT NOT NULL,
            kind            TEXT NOT NULL,
            left_key        INTEGER,
            right_key       INTEGER,
            left_source     TEXT,
            left_record_id  TEXT,
            right_source    TEXT,
            right_record_id TEXT,
            pair_id         INTEGER,
            reason_code     TEXT,
            note            TEXT,
            probability     REAL,
            levels          TEXT,          -- JSON {comparison: level label}
            model_version   TEXT,
            details         TEXT,          -- JSON, kind-specific
            left_values_hash  TEXT,
            right_values_hash TEXT,
            evidence_hash   TEXT,
            reverses        INTEGER REFERENCES ledger(seq),
            prev_hash       TEXT NOT NULL,
            entry_hash      TEXT NOT NULL UNIQUE
        );
        CREATE INDEX ledger_pair ON ledger(left_key, right_key);
        CREATE INDEX ledger_reverses ON ledger(reverses);
        CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
        BEGIN
            SELECT RAISE(ABORT, 'the decision ledger is append-only');
        END;
        CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
        BEGIN
            SELECT RAISE(ABORT, 'the decision ledger is append-only');
        END;
        -- The field values a reviewer saw, outside the chain (covered by hash
        -- only) so an expungement order can purge them and the chain verifies.
        CREATE TABLE evidence (
            entry_seq INTEGER PRIMARY KEY REFERENCES ledger(seq),
            snapshot  TEXT,
            purged_at TEXT
        );
        -- The standing human decision per record pair, derived from the ledger
        -- (latest unreversed match / non-match / unsure), so they never disagree.
        CREATE VIEW decision_state AS
        SELECT l.seq, l.left_key, l.right_key, l.kind, l.actor, l.at, l.pair_id
        FROM ledger l
        WHERE l.kind IN ('match', 'non-match', 'unsure')
          AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.seq)
          AND NOT EXISTS (
              SELECT 1 FROM ledger n
              WHERE n.left_key = l.left_key AND n.right_key = l.right_key
                AND n.kind IN ('match', 'non-match', 'unsure') AND n.seq > l.seq
                AND NOT EXISTS (SELECT 1 FROM ledger r2 WHERE r2.reverses = n.seq)
          );
        CREATE TABLE identity_flags (
            identity_id INTEGER PRIMARY KEY,
            reasons     TEXT NOT NULL,     -- JSON list
            run_id      INTEGER REFERENCES runs(id)
        );
        """,
    )


def _v3_review_indexes(conn: sqlite3.Connection) -> None:
    """Indexes behind the review screens: identifier search and today's count.

    A records clerk types a SID, FBI, IR, booking or case number and expects
    the person at once; without these a million-record workspace is scanned.
    ``ledger(actor, at)`` counts "decided today by me" and ``ledger(kind)``
    finds the people's decisions (``decision_state``) without reading the
    millions of automatic-link entries a large workspace holds.
    """
    _script(
        conn,
        """
        CREATE INDEX records_sid ON records(sid);
        CREATE INDEX records_fbi_number ON records(fbi_number);
        CREATE INDEX records_ir_number ON records(ir_number);
        CREATE INDEX records_booking_number ON records(booking_number);
        CREATE INDEX records_case_number ON records(case_number);
        CREATE INDEX ledger_actor_at ON ledger(actor, at);
        CREATE INDEX ledger_kind ON ledger(kind);
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_workspace, _v2_linking, _v3_review_indexes)
SCHEMA_VERSION = len(MIGRATIONS)
