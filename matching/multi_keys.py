"""Multi-valued keys about identifiers and borrowed values, for blocking.

"Shares an identifier", "an identifier one keystroke apart", keys borrowed
from records that share an identifier, and surname words: each is a
:class:`~matching.encoding.MultiEncoded`, built with sorting and integer
gathers only, so a million records cost no Python loop per record.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matching.encoding import Encoded, MultiEncoded, sorted_unique_int

# An identifier whose records carry more distinct keys than this names no one
# person (a shared placeholder, a co-defendants' case): it lends none of them.
_MAX_LINKED_KEYS = 4


def linked_keys(key: np.ndarray, identifier: MultiEncoded) -> MultiEncoded:
    """Each record's key, plus the keys of records sharing an identifier.

    The disposition of a case often lacks the birth date, or carries an
    alias, where the clerk's record of the same case has the birth date and
    the usual name; lending the clerk record's (birth date, initial) key to
    the disposition through the case number lets blocking reach it from the
    person's other records. Borrowed keys only block; comparisons still see
    each record's own values.

    Args:
        key: int64 per record, -1 where missing.
        identifier: the exploded "shares an identifier" key.

    Returns:
        The keys as a multi-valued feature (values are the key codes).
    """
    rows = identifier.rows.astype(np.int64)
    ids = identifier.keys.astype(np.int64)
    k = key[rows]
    have = k >= 0
    width = int(key.max(initial=0)) + 2
    pairs = sorted_unique_int(ids[have] * width + k[have])
    id_of, key_of = pairs // width, pairs % width
    starts = (
        np.flatnonzero(np.r_[True, id_of[1:] != id_of[:-1]])
        if id_of.size
        else np.zeros(0, np.int64)
    )
    counts = np.diff(np.r_[starts, id_of.size]).astype(np.int64)
    ok = counts <= _MAX_LINKED_KEYS
    starts, counts, uniq = starts[ok], counts[ok], id_of[starts[ok]]
    where = np.searchsorted(uniq, ids)
    found = where < uniq.size
    found[found] = uniq[where[found]] == ids[found]
    r, w = rows[found], where[found]
    per = counts[w]
    out_rows = np.repeat(r, per)
    first = np.repeat(starts[w], per)
    within = np.arange(out_rows.size) - np.repeat(np.cumsum(per) - per, per)
    own = np.flatnonzero(key >= 0)
    all_rows = np.concatenate([own, out_rows])
    all_keys = np.concatenate([key[own], key_of[first + within]])
    combo = sorted_unique_int(all_rows * width + all_keys)
    return MultiEncoded(
        rows=(combo // width).astype(np.int32),
        keys=(combo % width).astype(np.int32),
        values=np.zeros(0, dtype=object),
        base_offsets=np.zeros(1, dtype=np.int64),
        base_flat=np.zeros(0, dtype=np.int32),
    )


def surname_tokens(
    parts: MultiEncoded, middle: Encoded, vocab: np.ndarray
) -> MultiEncoded:
    """Surname parts, plus the last word of a middle name of two or more words.

    A full name in one field ("DONALD JOHN ROMERO MORALES") is split with the
    first surname of a compound in the middle name (JOHN ROMERO / MORALES);
    the other records of the person have ROMERO MORALES, ROMERO or MORALES.
    Only a multi-word middle name lends its last word: a single middle name
    is a given name.
    """
    tail = [v.rsplit(" ", 1)[1] if " " in v else None for v in vocab]
    index = {v: i for i, v in enumerate(parts.values)}
    extra_values = sorted({w for w in tail if w is not None and w not in index})
    for i, v in enumerate(extra_values):
        index[v] = len(parts.values) + i
    # Per name-vocabulary value, the parts code of its last word (-1: none).
    lookup = np.array(
        [-1 if w is None else index[w] for w in tail] + [-1], dtype=np.int64
    )
    words = lookup[middle.codes]
    rows_extra = np.flatnonzero(words >= 0)
    extra_keys = words[rows_extra]
    width = len(index) + 1
    combo = sorted_unique_int(
        np.concatenate(
            [
                parts.rows.astype(np.int64) * width + parts.keys,
                rows_extra.astype(np.int64) * width + extra_keys,
            ]
        )
    )
    values = np.concatenate([parts.values, np.array(extra_values, dtype=object)])
    return MultiEncoded(
        rows=(combo // width).astype(np.int32),
        keys=(combo % width).astype(np.int32),
        values=values.astype(object),
        base_offsets=np.zeros(1, dtype=np.int64),
        base_flat=np.zeros(0, dtype=np.int32),
    )


def _mask_hashes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-keystroke neighbourhood of identifier strings, as int64 hashes.

    Per value: each position masked (a substitution there leaves it
    unchanged) and each adjacent pair masked (a transposition leaves it
    unchanged). Hashed with a polynomial over the bytes, vectorised, so a
    million identifiers cost no Python string per mask.

    Returns:
        ``(value_index, hash)`` for every mask of every value.
    """
    if values.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    raw = np.array([str(v).encode("utf-8") for v in values], dtype=bytes)
    width = raw.dtype.itemsize
    mat = raw.view(np.uint8).reshape(-1, width).astype(np.uint64)
    lengths = np.fromiter((len(v) for v in raw), np.int64, raw.size)
    powers = np.uint64(1_000_003) ** np.arange(width, dtype=np.uint64)
    with np.errstate(over="ignore"):
        full = (mat * powers).sum(axis=1, dtype=np.uint64)
        which, hashes = [], []
        for i in range(width):
            for span in (1, 2):
                ok = lengths >= i + span
                h = full.copy()
                for j in range(i, min(i + span, width)):
                    h -= mat[:, j] * powers[j]
                h = h * np.uint64(31) + np.uint64(i * 4 + span)
                h = h * np.uint64(1_000_033) + lengths.astype(np.uint64)
                which.append(np.flatnonzero(ok))
                hashes.append(h[ok])
    return np.concatenate(which), np.concatenate(hashes).view(np.int64)


def near_identifier_keys(
    columns: Mapping[str, Encoded], id_columns: list[str]
) -> MultiEncoded:
    """Keys shared by person identifiers at most one keystroke apart.

    Only person identifiers: two case numbers one digit apart are two cases.
    """
    import pandas as pd

    rows, keys = [], []
    for number, col in enumerate(id_columns):
        enc = columns[col]
        value_idx, hashes = _mask_hashes(enc.values)
        hashes = hashes * 7 + number  # one column's masks never meet another's
        order = np.argsort(value_idx, kind="stable")
        value_idx, hashes = value_idx[order], hashes[order]
        counts = np.bincount(value_idx, minlength=enc.values.size)
        offsets = np.zeros(enc.values.size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        present = np.flatnonzero(enc.codes >= 0)
        per_record = counts[enc.codes[present]]
        rows.append(np.repeat(present, per_record).astype(np.int32))
        starts = np.repeat(offsets[enc.codes[present]], per_record)
        within = np.arange(per_record.sum(), dtype=np.int64) - np.repeat(
            np.cumsum(per_record) - per_record, per_record
        )
        keys.append(hashes[starts + within])
    empty = np.zeros(0, dtype=np.int32)
    all_rows = np.concatenate(rows) if rows else empty
    all_keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    dense = pd.factorize(all_keys)[0].astype(np.int32) if all_keys.size else empty
    order = np.argsort(all_rows, kind="stable")
    return MultiEncoded(
        rows=all_rows[order],
        keys=dense[order],
        values=np.array(id_columns, dtype=object),
        base_offsets=np.zeros(1, dtype=np.int64),
        base_flat=empty,
    )


def identifier_keys(
    columns: Mapping[str, Encoded], id_columns: list[str]
) -> MultiEncoded:
    """One exploded key per (identifier column, value): 'shares any identifier'.

    Keys of different columns never collide (a SID equal to a booking number
    says nothing), because each column's codes are offset past the previous.
    """
    rows, keys = [], []
    offset = 0
    for col in id_columns:
        enc = columns[col]
        present = np.flatnonzero(enc.codes >= 0)
        rows.append(present.astype(np.int32))
        keys.append((enc.codes[present] + offset).astype(np.int32))
        offset += len(enc.values)
    empty = np.zeros(0, dtype=np.int32)
    all_rows = np.concatenate(rows) if rows else empty
    all_keys = np.concatenate(keys) if keys else empty
    order = np.argsort(all_rows, kind="stable")
    return MultiEncoded(
        rows=all_rows[order],
        keys=all_keys[order],
        values=np.array(id_columns, dtype=object),
        base_offsets=np.zeros(1, dtype=np.int64),
        base_flat=empty,
    )
