"""Hidden values in a chart's rows: what a member sees where disclosure control has hidden a count.

Suppression itself is decided once, at build time, on each mock table's full cube together with every
table that shows the same persons (katalog.disclosure.cube, katalog.disclosure.protected): chart SQL only ever
reads those protected tables, so a hidden count is NULL before any query runs, and whatever a query computes from it
(a rate, a share, a sum over it) is NULL too. This module marks those NULLs in a chart's count and
derived columns with one marker, the same whether the count was small or hides a small one, and counts
them for the note under the chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

HIDDEN = "skjult"  # one marker for every hidden value: it does not tell which cells are small


@dataclass(frozen=True)
class Suppressed:
    """Rows as a chart shows them: hidden cells are missing (NA) in `data`, and `status` marks them."""

    data: pd.DataFrame
    status: pd.DataFrame  # HIDDEN or "" for each count and derived column
    hidden: int  # hidden count cells
    cells: int  # all count cells

    @property
    def share(self) -> float:
        return self.hidden / self.cells if self.cells else 0.0

    def for_display(self, *, grouping: bool = True) -> pd.DataFrame:
        """The rows as a member reads them: Danish numbers, «skjult» where a value is hidden.

        `grouping=False` leaves out thousands separators, for a CSV that spreadsheets read as numbers.
        """
        shown = self.data.astype(object)
        for column in self.data.columns:
            if pd.api.types.is_numeric_dtype(self.data[column]):
                # Only measures get thousands separators: a year or an age is not "2.024".
                group = grouping and column in self.status.columns
                shown[column] = [danish_number(v, group) for v in self.data[column]]
        for column in self.status.columns:
            shown.loc[self.status[column] == HIDDEN, column] = HIDDEN
        return shown


def danish_number(value, grouping: bool) -> str:
    if pd.isna(value):
        return ""
    if float(value).is_integer():
        text = f"{int(value):,}" if grouping else str(int(value))
        return text.replace(",", ".")
    digits = 3 if abs(value) < 1 else 1
    text = f"{value:,.{digits}f}" if grouping else f"{value:.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def mark_hidden(rows: pd.DataFrame, counts: Iterable[str], derived: Mapping[str, Iterable[str]] | None = None
                ) -> Suppressed:
    """Mark the hidden values of a query's rows: a count that is NULL was hidden at build time, and a value
    derived from counts is hidden with any of them (and is NULL itself when computed from a NULL)."""
    counts = list(counts)
    derived = {column: list(bases) for column, bases in (derived or {}).items()}
    data = rows.reset_index(drop=True).copy()
    status = pd.DataFrame("", index=data.index, columns=counts + list(derived))
    for column in counts + list(derived):
        data[column] = pd.to_numeric(data[column], errors="coerce").astype("Float64")
    for column in counts:
        status.loc[data[column].isna(), column] = HIDDEN
    for column, bases in derived.items():
        hidden = status[bases].eq(HIDDEN).any(axis=1)
        status.loc[hidden, column] = HIDDEN
        data.loc[hidden, column] = pd.NA
    flat = status[counts].to_numpy().ravel() if counts else []
    return Suppressed(data=data, status=status, hidden=int(sum(1 for s in flat if s == HIDDEN)), cells=len(flat))
