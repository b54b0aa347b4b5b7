"""The comparison base: levels, the two sides of a batch of pairs, and the API.

Each comparison is a small frozen dataclass (Splink's ``Comparison`` with its
``ComparisonLevel`` list): ``compare(left, right)`` returns, per pair, the index
of the first level that holds, or -1 when either side lacks the value. The
concrete comparisons live in :mod:`matching.name_comparisons` and
:mod:`matching.record_comparisons`; :mod:`matching.comparisons` gathers them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from matching.features import Features, build_features

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Level:
    """One outcome of a comparison.

    Attributes:
        name: stable machine name ("exact", "nickname"), used in JSON.
        label: what the review screen shows.
        m: starting guess of P(level | match) for EM.
        tf: exact agreement on a value whose weight depends on how common the
            value is (term-frequency adjustment: SMITH counts less than OYELARAN).
    """

    name: str
    label: str
    m: float
    tf: bool = False


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a batch of pairs: the records at ``rows`` of ``features``.

    ``compare(left, right)`` pairs ``left.rows[i]`` with ``right.rows[i]``.
    """

    features: Features
    rows: np.ndarray

    def codes(self, column: str) -> np.ndarray:
        enc = self.features.columns.get(column)
        if enc is None:
            return np.full(self.rows.shape[0], -1, dtype=np.int32)
        return enc.codes[self.rows]

    def values(self, column: str) -> np.ndarray:
        return self.features.columns[column].values


def pair_sides(left: pd.DataFrame, right: pd.DataFrame) -> tuple[Side, Side]:
    """Sides for row-aligned frames: row i of ``left`` pairs with row i of ``right``."""
    import pandas as pd

    if len(left) != len(right):
        raise ValueError("left and right must have the same number of rows")
    both = pd.concat([left, right], ignore_index=True)
    if "source" not in both.columns:
        both["source"] = ["left"] * len(left) + ["right"] * len(right)
    both.index = both.index.astype(np.int64)
    features = build_features(both)
    k = len(left)
    return Side(features, np.arange(k)), Side(features, np.arange(k, 2 * k))


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a >= 0) & (b >= 0)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Base class: a named comparison producing one level index per pair."""

    name: str
    kind: ClassVar[str] = ""

    def levels(self) -> tuple[Level, ...]:
        raise NotImplementedError

    def columns(self) -> tuple[str, ...]:
        """Feature columns read; the comparison is dropped if none has data."""
        raise NotImplementedError

    @property
    def tf_column(self) -> str | None:
        """Column whose value frequencies adjust the ``tf`` levels, if any."""
        return None

    def compare(
        self, left: Side | pd.DataFrame, right: Side | pd.DataFrame
    ) -> np.ndarray:
        """Level index per pair (int8), -1 where either value is missing.

        Args:
            left, right: the two sides, as :class:`Side` (the engine) or as
                row-aligned DataFrames of normalised records (tests, tools).

        Example:
            >>> import pandas as pd
            >>> l = pd.DataFrame({"sex": ["M", "M", None]})
            >>> r = pd.DataFrame({"sex": ["M", "F", "F"]})
            >>> from matching.comparisons import SexComparison
            >>> SexComparison("sex").compare(l, r).tolist()
            [0, 1, -1]
        """
        if not isinstance(left, Side) or not isinstance(right, Side):
            left, right = pair_sides(left, right)  # type: ignore[arg-type]
        if left.features is not right.features:
            raise ValueError("both sides must come from the same Features")
        return self._levels(left, right)

    def _levels(self, left: Side, right: Side) -> np.ndarray:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, **asdict(self)}


def _fill(shape: int, ok: np.ndarray, else_level: int) -> np.ndarray:
    out = np.full(shape, -1, dtype=np.int8)
    out[ok] = else_level
    return out
