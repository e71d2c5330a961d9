"""Disclosure control on a table's full cube: every dimension with its totals, decided once at build time.

A `Cube` holds a table's counts for every combination of its dimensions' nodes (kommune, region and
Hele landet; Kvinder, Mænd and Alle; ...), per block of keys that are never summed (year, diagnosis).
Suppression is decided on the whole cube, so every view of it – any parameter choice of any chart, the
table view, the CSV, the PDF, the sandbox – shows the same pattern and no two views can be combined to
solve a hidden cell:

1. *Primary*: every count of persons from 1 to 4 is hidden, including counts that are not published but
   follow from two that are (patients who are not new = patients − new patients).
2. *Secondary*: along every line of the cube (a total and the cells it is the sum of; a count and its
   part), a hidden cell never stands alone, and the hidden cells of a line whose total is shown can give
   up at least their number + 3 between them, so none of them can be narrowed inside 1–4 by subtraction
   (a count can give up only what lies above its floor: all patients are at least the new patients shown
   beside them). The rests of a part (whole − part) sum along every line too and are protected the same
   way: where a part or whole is hidden its rest is open, and open rests must protect each other. The
   smallest shown cell above zero is hidden next, and the zeros of a line with a hidden count are hidden
   too, so a hidden cell may be 0 (a shown zero beside it would say it is at least 1).
3. *Linked cubes*: the same count published in two tables (patients by kommune and by region with
   plejehjem) is one cell; a cell hidden in one is hidden in the other, and both are suppressed again
   until neither changes.

`katalog.disclosure.audit` then checks the pattern with linear programming against everything published; where many
lines together still narrow a count, its repair hides more (`hide_more`) and suppresses again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SMALL_COUNT_MAX = 4  # counts 1..4 are hidden; 0 is shown
PROTECTION_MARGIN = 3  # hidden cells of a line with a shown total sum to at least their number + this


@dataclass(frozen=True)
class Hierarchy:
    """One dimension of a cube: its nodes (leaves and totals) and which totals are sums of which nodes.

    `groups` lists (total, parts) bottom-up, so a total is computed after the totals it is made of.
    `labels` maps each output column (e.g. `region`, `kommune`, `niveau`) to one value per node.
    """

    name: str
    nodes: tuple[str, ...]
    leaves: Mapping[object, int]  # raw leaf value -> node index
    groups: tuple[tuple[int, tuple[int, ...]], ...]
    labels: Mapping[str, tuple[object, ...]]

    @property
    def size(self) -> int:
        return len(self.nodes)


def flat(name: str, leaves: Sequence[str], total: str = "Alle", column: str | None = None) -> Hierarchy:
    """A dimension of leaves and one total (Kvinder, Mænd -> Alle)."""
    nodes = (*leaves, total)
    return Hierarchy(name, nodes, {leaf: i for i, leaf in enumerate(leaves)},
                     ((len(leaves), tuple(range(len(leaves)))),), {column or name: nodes})


def tree(name: str, parent_of: Mapping[str, str], columns: Mapping[str, Mapping[str, object]]) -> Hierarchy:
    """A dimension whose nodes form a tree (kommune -> region -> Hele landet; praksis -> klynge -> region ...).

    `parent_of` maps every node but the top to its parent; nodes that are nobody's parent are the leaves.
    `columns` gives, per output column, each node's value.
    """
    parents = set(parent_of.values())
    leaves = [node for node in parent_of if node not in parents]
    children_of: dict[str, list[str]] = {}
    for child, parent in parent_of.items():
        children_of.setdefault(parent, []).append(child)
    depth: dict[str, int] = {}

    def height(node: str) -> int:  # leaves 0, their parents 1, ...
        if node not in depth:
            children = children_of.get(node, [])
            depth[node] = 0 if not children else 1 + max(height(c) for c in children)
        return depth[node]

    totals = sorted(children_of, key=height)
    nodes = (*leaves, *[t for t in totals])
    index = {node: i for i, node in enumerate(nodes)}
    groups = tuple((index[t], tuple(index[c] for c in children_of[t])) for t in totals)
    labels = {column: tuple(values[node] for node in nodes) for column, values in columns.items()}
    return Hierarchy(name, nodes, {leaf: index[leaf] for leaf in leaves}, groups, labels)


@dataclass(frozen=True)
class Part:
    """A count that is a part of another count in the same cell (new patients of all patients). The rest
    (`whole − part`) is not published but follows from the two, so it is protected like a count."""

    part: str
    whole: str


@dataclass
class Cube:
    """Counts (persons) and companions (values built on them: contacts, fees) for every node combination."""

    name: str
    block_columns: tuple[str, ...]
    blocks: pd.DataFrame  # one row per block (e.g. year and diagnosis)
    dims: tuple[Hierarchy, ...]
    counts: tuple[str, ...]
    values: np.ndarray  # (blocks, *dims, counts)
    parts: tuple[Part, ...] = ()
    companions: Mapping[str, tuple[str, np.ndarray]] = field(default_factory=dict)  # name -> (count it rides on, array)
    public: Mapping[str, np.ndarray] = field(default_factory=dict)  # published as they are (population)
    hidden: np.ndarray | None = None  # same shape as values
    forced: np.ndarray | None = None  # hidden because a linked cube hides the same count

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    def axis(self, dim: str) -> int:
        return 1 + [d.name for d in self.dims].index(dim)

    def measure(self, count: str) -> int:
        return self.counts.index(count)

    def rest(self, part: Part) -> np.ndarray:
        """The counts that are not published but follow from a part and its whole."""
        return self.values[..., self.measure(part.whole)] - self.values[..., self.measure(part.part)]


def from_frame(name: str, frame: pd.DataFrame, block_columns: Sequence[str], dims: Sequence[tuple[str, Hierarchy]],
               counts: Sequence[str], *, parts: Sequence[Part] = (),
               companions: Mapping[str, str] | None = None, public: Sequence[str] = (),
               blocks: pd.DataFrame | None = None) -> Cube:
    """A cube from a frame of leaf rows: `dims` pairs each hierarchy with the frame column of its leaves.
    Rows of the same leaves are added up; every total is then the sum of its parts."""
    companions = dict(companions or {})
    if blocks is None:
        blocks = frame[list(block_columns)].drop_duplicates().sort_values(list(block_columns)).reset_index(drop=True)
    block_index = pd.MultiIndex.from_frame(blocks[list(block_columns)]).get_indexer(
        pd.MultiIndex.from_frame(frame[list(block_columns)]))
    if (block_index < 0).any():
        raise ValueError(f"{name}: rækker uden for blokkene")
    coordinates = [block_index]
    for column, hierarchy in dims:
        index = frame[column].map(hierarchy.leaves)
        if index.isna().any():
            unknown = sorted(set(frame.loc[index.isna(), column].astype(str)))[:5]
            raise ValueError(f"{name}: ukendte værdier i {column}: {unknown}")
        coordinates.append(index.to_numpy(dtype=np.int64))
    shape = (len(blocks), *(h.size for _, h in dims))
    hierarchies = tuple(h for _, h in dims)

    def dense(columns: Sequence[str]) -> np.ndarray:
        array = np.zeros((*shape, len(columns)), dtype=np.float64)
        for m, column in enumerate(columns):
            np.add.at(array[..., m], tuple(coordinates), frame[column].to_numpy(dtype=np.float64))
        for axis, hierarchy in enumerate(hierarchies, start=1):
            for total, members in hierarchy.groups:
                _set(array, axis, total, np.take(array, members, axis=axis).sum(axis=axis))
        return array

    values = dense(counts)
    companion_arrays = {}
    if companions:
        dense_companions = dense(list(companions))
        for m, (companion, base) in enumerate(companions.items()):
            companion_arrays[companion] = (base, dense_companions[..., m])
    public_arrays = {}
    if public:
        dense_public = dense(list(public))
        public_arrays = {column: dense_public[..., m] for m, column in enumerate(public)}
    return Cube(name, tuple(block_columns), blocks, hierarchies, tuple(counts), values, tuple(parts), companion_arrays,
                public_arrays)


def _set(array: np.ndarray, axis: int, index: int, value: np.ndarray) -> None:
    selector = [slice(None)] * array.ndim
    selector[axis] = index
    array[tuple(selector)] = value


# --- suppression --------------------------------------------------------------------------------


def _small(values: np.ndarray) -> np.ndarray:
    return (values >= 1) & (values <= SMALL_COUNT_MAX)


def primary(cube: Cube) -> np.ndarray:
    """The counts of 1-4: hidden whatever else is shown."""
    return _small(cube.values)


def suppress(cube: Cube) -> int:
    """Primary and secondary suppression of one cube; returns the number of hidden cells. Re-running after
    more cells were forced hidden (by a linked cube) only ever adds cells."""
    hidden = primary(cube) if cube.hidden is None else cube.hidden.copy()
    if cube.forced is not None:
        hidden |= cube.forced
    rest_small = [(part, _small(cube.rest(part))) for part in cube.parts]
    rests = [(cube.measure(part.part), cube.measure(part.whole), cube.rest(part)) for part in cube.parts]
    changed = True
    while changed:
        changed = False
        for part, small in rest_small:
            changed |= _protect_rest(cube, hidden, part, small)
        slack = cube.values - _floor(cube, hidden)
        for axis, hierarchy in enumerate(cube.dims, start=1):
            for total, members in hierarchy.groups:
                changed |= _protect_line(cube.values, hidden, axis, total, members, slack)
                for p, w, rest in rests:
                    changed |= _protect_rest_line(rest, hidden, p, w, axis, total, members)
    _hide_zeros_beside_hidden(cube.values, hidden, cube.dims)
    cube.hidden = hidden
    return int(hidden.sum())


def _hide_zeros_beside_hidden(values: np.ndarray, hidden: np.ndarray, dims: tuple[Hierarchy, ...]) -> None:
    """Hide the zeros of every line that has a hidden count. A shown zero next to hidden cells tells an
    attacker that every hidden cell is at least 1 (and that a hidden total is the sum of fewer cells), which
    pins tiny counts exactly where many of them meet; with zeros hidden too, a hidden cell may be 0."""
    zero = values == 0
    for _ in range(len(dims) + 1):
        before = int(hidden.sum())
        for axis, hierarchy in enumerate(dims, start=1):
            for total, members in hierarchy.groups:
                line = (total, *members)
                h = np.take(hidden & ~zero, line, axis=axis).any(axis=axis, keepdims=True)
                spread = np.repeat(h, len(line), axis=axis)
                target = np.take(zero, line, axis=axis) & spread
                index = [slice(None)] * values.ndim
                index[axis] = list(line)
                hidden[tuple(index)] |= target
        if int(hidden.sum()) == before:
            return


def _protect_rest(cube: Cube, hidden: np.ndarray, part: Part, small: np.ndarray) -> bool:
    """A small rest (whole − part) is known when both are shown: hide the part (the smaller of the two)."""
    p, w = cube.measure(part.part), cube.measure(part.whole)
    exposed = small & ~hidden[..., p] & ~hidden[..., w]
    if not exposed.any():
        return False
    hidden[..., p] |= exposed
    return True


def _floor(cube: Cube, hidden: np.ndarray) -> np.ndarray:
    """What every count is known to be at least: 0, or a shown part of it (all patients ≥ the new patients
    shown beside them). A hidden count gives nothing to its line above this floor."""
    floor = np.zeros(cube.shape)
    for part in cube.parts:
        p, w = cube.measure(part.part), cube.measure(part.whole)
        floor[..., w] = np.maximum(floor[..., w], np.where(hidden[..., p], 0.0, cube.values[..., p]))
    return floor


def _protect_line(values: np.ndarray, hidden: np.ndarray, axis: int, total: int, members: tuple[int, ...],
                  slack: np.ndarray | None = None) -> bool:
    """Along one kind of line (a total and its parts, for every position of the other dimensions), hide the
    smallest shown non-zero cell wherever a hidden cell stands alone or the hidden parts of a shown total
    can give up less than their number + PROTECTION_MARGIN between them (each can give up its value above
    its floor, `slack`). Cells that add slack are hidden first."""
    line = (total, *members)
    h = np.take(hidden, line, axis=axis)
    v = np.take(values, line, axis=axis)
    room = v if slack is None else np.take(slack, line, axis=axis)
    n_hidden = (h & (v > 0)).sum(axis=axis)  # hidden zeros protect nothing and need no protection
    total_shown = ~np.take(h, 0, axis=axis)
    hidden_room = np.where(h, room, 0).sum(axis=axis)
    weak = (n_hidden == 1) | (total_shown & (n_hidden >= 2) & (hidden_room < n_hidden + PROTECTION_MARGIN))
    if not weak.any():
        return False
    # A cell that gives no room (its part is shown and as large) is hidden only when no other is left.
    candidates = np.where(~h & (v > 0), v + np.where(room > 0, 0.0, 1e9), np.inf)
    return _hide_best(hidden, candidates, weak, axis, line)


def _protect_rest_line(rest: np.ndarray, hidden: np.ndarray, p: int, w: int, axis: int, total: int,
                       members: tuple[int, ...]) -> bool:
    """The rests (whole − part) along a line sum like counts: where a part or whole is hidden its rest is
    open, and open rests must protect each other as hidden counts do (the rests of two hidden parts whose
    wholes are shown sum to what the line's rest leaves). Opens the smallest shown rest above zero by
    hiding its part."""
    line = (total, *members)
    open_ = np.take(hidden[..., p] | hidden[..., w], line, axis=axis)
    r = np.take(rest, line, axis=axis)
    n_open = (open_ & (r > 0)).sum(axis=axis)
    total_known = ~np.take(open_, 0, axis=axis)
    open_sum = np.where(open_, r, 0).sum(axis=axis)
    weak = (n_open == 1) | (total_known & (n_open >= 2) & (open_sum < n_open + PROTECTION_MARGIN))
    if not weak.any():
        return False
    candidates = np.where(~open_ & (r > 0), r, np.inf)
    part_hidden = hidden[..., p]
    changed = _hide_best(part_hidden, candidates, weak, axis, line)
    hidden[..., p] = part_hidden
    return changed


def _hide_best(hidden: np.ndarray, candidates: np.ndarray, weak: np.ndarray, axis: int, line: tuple[int, ...]) -> bool:
    """In every weak line, hide the candidate of least rank (a total only as the last resort)."""
    # A total is hidden only as the last resort: it opens every other line it is a part of.
    last_resort = np.zeros(len(line))
    last_resort[0] = 1e12
    shape = [1] * candidates.ndim
    shape[axis] = len(line)
    ranked = candidates + last_resort.reshape(shape)
    choice = np.argmin(ranked, axis=axis)
    best = np.take_along_axis(ranked, np.expand_dims(choice, axis), axis=axis).squeeze(axis)
    do = weak & np.isfinite(best)
    if not do.any():
        return False
    positions = np.array(line)[choice]
    where = np.nonzero(do)
    index = list(where)
    index.insert(axis, positions[where])
    before = int(hidden.sum())
    hidden[tuple(index)] = True
    return int(hidden.sum()) > before


# --- links between cubes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """The same counts in two cubes: `select_a(cube_a)` and `select_b(cube_b)` give index tuples of equal
    shape into (blocks, *dims) and the count names; the values must agree cell by cell."""

    a: str
    b: str
    select_a: object  # Callable[[Cube], tuple[tuple, str]]
    select_b: object


def suppress_linked(cubes: Mapping[str, Cube], links: Iterable[Link], max_rounds: int = 50) -> None:
    """Suppress every cube, then make linked counts share one pattern, until nothing changes."""
    links = list(links)
    for link in links:
        _check_link(cubes, link)
    for cube in cubes.values():
        cube.hidden = None
        cube.forced = np.zeros(cube.shape, dtype=bool)
        suppress(cube)
    _settle(cubes, links, max_rounds)


def hide_more(cubes: Mapping[str, Cube], links: Iterable[Link], cells: Mapping[str, Iterable[int]],
              max_rounds: int = 50) -> int:
    """Hide more cells (cube name -> flat indices into its values) in an already suppressed set of cubes,
    and suppress again around them until no line or link changes. Returns how many cells were added."""
    before = sum(int(cube.hidden.sum()) for cube in cubes.values())
    for name, flat_indices in cells.items():
        cube = cubes[name]
        cube.forced.flat[np.fromiter(flat_indices, dtype=np.int64)] = True
        suppress(cube)
    _settle(cubes, list(links), max_rounds)
    return sum(int(cube.hidden.sum()) for cube in cubes.values()) - before


def _settle(cubes: Mapping[str, Cube], links: list[Link], max_rounds: int) -> None:
    for _ in range(max_rounds):
        changed = False
        for link in links:
            changed |= _share(cubes, link)
        if not changed:
            return
        for cube in cubes.values():
            suppress(cube)
    raise RuntimeError("Diskretioneringen af de sammenkædede tabeller faldt ikke til ro.")


def _cells(cube: Cube, select) -> tuple[tuple, int]:
    index, count = select(cube)
    return index, cube.measure(count)


def _check_link(cubes: Mapping[str, Cube], link: Link) -> None:
    (ia, ma), (ib, mb) = _cells(cubes[link.a], link.select_a), _cells(cubes[link.b], link.select_b)
    va, vb = cubes[link.a].values[(*ia, ma)], cubes[link.b].values[(*ib, mb)]
    if va.shape != vb.shape or not np.array_equal(va, vb):
        raise ValueError(f"Sammenkædningen {link.a} ~ {link.b} forbinder celler med forskellige værdier.")


def _share(cubes: Mapping[str, Cube], link: Link) -> bool:
    a, b = cubes[link.a], cubes[link.b]
    (ia, ma), (ib, mb) = _cells(a, link.select_a), _cells(b, link.select_b)
    ha, hb = a.hidden[(*ia, ma)], b.hidden[(*ib, mb)]
    union = ha | hb
    changed = bool((union != ha).any() or (union != hb).any())
    if changed:
        a.forced[(*ia, ma)] |= union
        b.forced[(*ib, mb)] |= union
    return changed


# --- the protected table ------------------------------------------------------------------------


def to_frame(cube: Cube, *, keep: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Every node combination as a row: block columns, each dimension's label columns, counts (NaN where
    hidden) and companions (NaN where the count they ride on is hidden). `keep` limits a dimension to some
    nodes: {dimension name: boolean mask over its nodes}."""
    keep = dict(keep or {})
    selectors = [np.arange(len(cube.blocks))]
    for hierarchy in cube.dims:
        mask = keep.get(hierarchy.name)
        selectors.append(np.flatnonzero(mask) if mask is not None else np.arange(hierarchy.size))
    grids = np.meshgrid(*selectors, indexing="ij")
    flat_index = tuple(g.ravel() for g in grids)
    out = {column: cube.blocks[column].to_numpy()[flat_index[0]] for column in cube.block_columns}
    for axis, hierarchy in enumerate(cube.dims, start=1):
        for column, values in hierarchy.labels.items():
            out[column] = np.asarray(values, dtype=object)[flat_index[axis]]
    hidden = cube.hidden if cube.hidden is not None else np.zeros(cube.shape, dtype=bool)
    for m, count in enumerate(cube.counts):
        v = cube.values[(*flat_index, np.full(len(flat_index[0]), m))]
        h = hidden[(*flat_index, np.full(len(flat_index[0]), m))]
        out[count] = np.where(h, np.nan, v)
    for companion, (base, array) in cube.companions.items():
        h = hidden[(*flat_index, np.full(len(flat_index[0]), cube.measure(base)))]
        out[companion] = np.where(h, np.nan, array[flat_index])
    for column, array in cube.public.items():
        out[column] = array[flat_index]
    return pd.DataFrame(out)


def hidden_share(cube: Cube) -> tuple[int, int]:
    """(hidden cells, all cells) over the cube's published counts."""
    hidden = cube.hidden if cube.hidden is not None else np.zeros(cube.shape, dtype=bool)
    return int(hidden.sum()), int(hidden.size)
