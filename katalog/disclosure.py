"""Disclosure control (diskretionering): the one place where small counts are hidden.

Primary suppression hides every count of 1–4 and every value derived from it (a share, a
rate). Secondary suppression then hides the smallest other cell wherever a hidden cell is the
only hidden one among cells that share all but one key (a row or column of the table), so it
cannot be recovered by subtracting the visible cells from a total shown or published elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

SMALL_COUNT_MAX = 4  # counts 1..4 are hidden; 0 is shown
PRIMARY, SECONDARY = "primary", "secondary"
SHOWN_AS = {PRIMARY: "<5", SECONDARY: "–"}


@dataclass(frozen=True)
class Suppressed:
    """Rows after suppression: hidden cells are missing (NA) in `data`, and `status` says why."""

    data: pd.DataFrame
    status: pd.DataFrame  # "" (shown), "primary" or "secondary", for counts and derived columns
    primary: int
    secondary: int
    _counts: tuple[str, ...] = ()

    @property
    def hidden(self) -> int:
        return self.primary + self.secondary

    def where(self, mask: pd.Series, drop: list[str]) -> Suppressed:
        """The rows selected by `mask`, without the columns in `drop`, with their counts recomputed."""
        data = self.data[mask.to_numpy()].drop(columns=drop).reset_index(drop=True)
        status = self.status[mask.to_numpy()].reset_index(drop=True)
        flat = [s for column in status.columns if column in self._counts for s in status[column]]
        return Suppressed(data, status, flat.count(PRIMARY), flat.count(SECONDARY), self._counts)

    def for_display(self, *, grouping: bool = True) -> pd.DataFrame:
        """The rows as a member reads them: Danish numbers, '<5' and '–' where values are hidden.

        `grouping=False` leaves out thousands separators, for a CSV that spreadsheets read as numbers.
        """
        shown = self.data.astype(object)
        for column in self.data.columns:
            if pd.api.types.is_numeric_dtype(self.data[column]):
                # Only measures get thousands separators: a year or an age is not "2.024".
                group = grouping and column in self.status.columns
                shown[column] = [_danish_number(v, group) for v in self.data[column]]
        for column in self.status.columns:
            for kind, text in SHOWN_AS.items():
                shown.loc[self.status[column] == kind, column] = text
        return shown


def _danish_number(value, grouping: bool) -> str:
    if pd.isna(value):
        return ""
    if float(value).is_integer():
        text = f"{int(value):,}" if grouping else str(int(value))
        return text.replace(",", ".")
    digits = 3 if abs(value) < 1 else 1
    text = f"{value:,.{digits}f}" if grouping else f"{value:.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def suppress_small_counts(
    rows: pd.DataFrame,
    counts: Iterable[str],
    derived: Mapping[str, Iterable[str]] | None = None,
) -> Suppressed:
    """Apply primary and secondary suppression; every other column is a key of the cell."""
    counts = list(counts)
    derived = {column: list(bases) for column, bases in (derived or {}).items()}
    data = rows.reset_index(drop=True).copy()
    keys = [c for c in data.columns if c not in counts and c not in derived]
    status = pd.DataFrame("", index=data.index, columns=counts + list(derived))

    for column in counts:
        values = pd.to_numeric(data[column], errors="coerce")
        # pandas copy-on-write: work on one column and assign it back
        column_status = pd.Series("", index=data.index, dtype=object)
        column_status[(values > 0) & (values <= SMALL_COUNT_MAX)] = PRIMARY
        _secondary(values, column_status, keys, data)
        status[column] = column_status

    for column, bases in derived.items():
        hidden = status[bases].ne("").any(axis=1)
        kind = status[bases].apply(lambda row: PRIMARY if PRIMARY in row.values else SECONDARY, axis=1)
        status.loc[hidden, column] = kind[hidden]

    for column in status.columns:
        data[column] = pd.to_numeric(data[column], errors="coerce").astype("Float64")
        data.loc[status[column] != "", column] = pd.NA
    flat = status[counts].to_numpy().ravel() if counts else []
    return Suppressed(
        data=data,
        status=status,
        primary=int(sum(1 for s in flat if s == PRIMARY)),
        secondary=int(sum(1 for s in flat if s == SECONDARY)),
        _counts=tuple(counts),
    )


def _secondary(values: pd.Series, status: pd.Series, keys: list[str], data: pd.DataFrame) -> None:
    """Hide more cells until no line of cells (all keys fixed but one) has exactly one hidden."""
    keys = _independent(keys, data)
    if not keys:
        return
    lines = []
    for free in keys:
        fixed = [k for k in keys if k != free]
        if fixed:
            lines.extend(data.groupby(fixed, dropna=False, sort=False).indices.values())
        else:
            lines.append(data.index.to_numpy())
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len(line) < 2:
                continue
            hidden = [i for i in line if status.iat[i]]
            if len(hidden) != 1:
                continue
            candidates = [i for i in line if not status.iat[i] and pd.notna(values.iat[i])]
            if candidates:
                # A zero partner hides little: prefer the smallest count above zero.
                smallest = min(candidates, key=lambda i: (values.iat[i] == 0, values.iat[i]))
                status.iat[smallest] = SECONDARY
                changed = True


def _independent(keys: list[str], data: pd.DataFrame) -> list[str]:
    """Keys without labels or sort numbers that move one-to-one with another key (region_nr next to
    region), which would otherwise split every line of cells into lines of one."""
    kept: list[str] = []
    for key in keys:
        duplicate = any(
            data.groupby(other, dropna=False)[key].nunique(dropna=False).max() <= 1
            and data.groupby(key, dropna=False)[other].nunique(dropna=False).max() <= 1
            for other in kept
        )
        if not duplicate:
            kept.append(key)
    return kept
