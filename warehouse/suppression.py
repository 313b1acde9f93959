"""Primary and secondary suppression of small groups over the hierarchies that the marts hold."""

from __future__ import annotations

import hashlib
import heapq
import os
import pickle
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

import polars as pl

# A node is (municipality, station_id, role_group); None stands for "all" at that level.
Node = tuple[str | None, str | None, str | None]
# Part of every stored decision's input hash: a change of the algorithm invalidates what earlier builds decided.
ALGORITHM = "span-gf2/1"


def hierarchies(nodes: Iterable[Node]) -> list[tuple[Node, list[Node]]]:
    """Parent → children pairs: region → municipality → station per role group, and unit → role groups."""
    nodes = set(nodes)
    children: dict[Node, list[Node]] = defaultdict(list)
    for node in nodes:
        mun, st, grp = node
        if st is not None:
            parent: Node = (mun, None, grp)
        elif mun is not None:
            parent = (None, None, grp)
        else:
            parent = None  # type: ignore[assignment]
        if parent is not None and parent in nodes:
            children[parent].append(node)
        if grp is not None and (mun, st, None) in nodes:
            children[(mun, st, None)].append(node)
    # Geography links and role-group links of the same parent are separate hierarchies.
    out: list[tuple[Node, list[Node]]] = []
    for parent in sorted(children, key=_sort_key):
        geo = [c for c in children[parent] if c[2] == parent[2]]
        roles = [c for c in children[parent] if c[2] != parent[2]]
        for group in (geo, roles):
            if group:
                out.append((parent, sorted(group, key=_sort_key)))
    return out


def _sort_key(node: Node) -> tuple[str, str, str]:
    mun, st, grp = node
    return (mun or "", st or "", grp or "")


def _code(node: Node) -> str:
    """The code of a node at its own level, used to break ties between equally small children."""
    mun, st, grp = node
    return "|".join(p or "" for p in (st or mun, grp))


def _size(people: dict[Node, int]):  # noqa: ANN202 - sort key closure
    return lambda n: (people[n], _code(n))


def _level(node: Node) -> int:
    """Station cell 0, station 1, municipality × role group 2, municipality 3, region × role group 4, region 5."""
    mun, st, grp = node
    base = 4 if mun is None else 2 if st is None else 0
    return base + (grp is None)


class _Span:
    """Which hidden totals follow from shown ones: exact linear algebra over the finest cells (station × role group).

    Respondent and head counts stay visible, so a reader can add and subtract the totals (mean × n) of shown
    groups. A hidden group's total is recoverable exactly when its cell vector lies in the span of the shown
    groups' vectors (plus the cells known to be empty). Every group is a set of cells, and the groups form two
    laminar families (role-group-specific groups nest cell ⊂ municipality ⊂ region, all-role groups nest station ⊂
    municipality ⊂ region), so their incidence matrix is totally unimodular: every square submatrix has determinant
    0 or ±1. Hence ranks over the rationals equal ranks over GF(2), and the coefficients of a vector in a basis of
    these rows are 0 or ±1: elimination with bitsets over GF(2) decides membership exactly and finds which groups a
    derivation uses. Groups of one municipality touch only its cells, so the basis is kept per municipality and only
    the changed municipality and the few region rows are redone after a suppression.
    """

    def __init__(self, people: dict[Node, int], suppressed: dict[Node, bool]) -> None:
        self.people, self.suppressed = people, suppressed
        leaves = sorted((n for n in people if n[1] is not None and n[2] is not None), key=_sort_key)
        self.vec: dict[Node, int] = defaultdict(int)
        for j, (mun, st, grp) in enumerate(leaves):
            for node in ((mun, st, grp), (mun, st, None), (mun, None, grp), (mun, None, None), (None, None, grp),
                         (None, None, None)):
                if node in people:
                    self.vec[node] |= 1 << j
        # Rows in a fixed order: per municipality its empty cells, then its groups from the finest up; region last.
        self.rows: list[tuple[Node | None, int]] = []
        self.block_rows: dict[str, list[int]] = defaultdict(list)
        for leaf in leaves:
            if people[leaf] == 0:
                self.block_rows[leaf[0]].append(self._row(None, self.vec[leaf]))  # type: ignore[index]
        self.region_rows: list[int] = []
        for node in sorted(people, key=lambda n: (_level(n), _sort_key(n))):
            if self.vec[node]:
                rows = self.region_rows if node[0] is None else self.block_rows[node[0]]
                rows.append(self._row(node, self.vec[node]))
        self.basis: dict[int, tuple[int, int]] = {}  # pivot bit → (vector, rows combined)
        self.pivots: dict[str, list[int]] = {}  # the pivots of each municipality's rows
        self.region_pivots: list[int] = []
        self.dirty: set[str] = set(self.block_rows)
        self.region_dirty = True

    def _row(self, node: Node | None, vector: int) -> int:
        self.rows.append((node, vector))
        return len(self.rows) - 1

    def _active(self, row: int) -> bool:
        node = self.rows[row][0]
        return node is None or (not self.suppressed[node] and self.people[node] > 0)

    def hide(self, node: Node) -> None:
        """A node became suppressed: its municipality's basis and the region rows are redone when next needed."""
        if node[0] is not None:
            self.dirty.add(node[0])
        self.region_dirty = True

    def _reduce(self, x: int, combo: int) -> tuple[int, int]:
        """Eliminate x's lowest bits against the pivots: (what is left, the rows combined on the way)."""
        get = self.basis.get
        while x:
            low = x & -x
            entry = get(low)
            if entry is None:
                return x, combo
            x ^= entry[0]
            combo ^= entry[1]
        return 0, combo

    def _insert(self, row: int) -> int | None:
        x, combo = self._reduce(self.rows[row][1], 1 << row)
        if not x:
            return None
        low = x & -x
        self.basis[low] = (x, combo)
        return low

    def _refresh(self) -> None:
        if not (self.dirty or self.region_dirty):
            return
        # Region rows go first and come back last: municipality rows then meet only their own municipality's pivots.
        for pivot in self.region_pivots:
            del self.basis[pivot]
        for block in self.dirty:
            for pivot in self.pivots.pop(block, []):
                del self.basis[pivot]
            self.pivots[block] = [p for row in self.block_rows[block] if self._active(row)
                                  and (p := self._insert(row)) is not None]
        self.region_pivots = [p for row in self.region_rows if self._active(row)
                              and (p := self._insert(row)) is not None]
        self.dirty, self.region_dirty = set(), False

    def derivation(self, target: Node) -> list[Node] | None:
        """The shown groups whose totals add up to the target's (coefficients ±1), or None if it does not follow."""
        if not self.vec[target]:
            return None
        self._refresh()
        x, combo = self._reduce(self.vec[target], 0)
        if x:
            return None
        used = []
        while combo:
            low = combo & -combo
            combo ^= low
            node = self.rows[low.bit_length() - 1][0]
            if node is not None:
                used.append(node)
        return used


class _Rule:
    """The contract's rule, kept up to date as nodes are hidden: the first breached link in order, without a rescan.

    Under a shown parent, the suppressed children of a link total none or at least k people; the first link that
    breaches this hides its smallest shown child (ties by code), else its parent. A link can become breached only
    when one of its children is hidden (parents are never shown again), so each hide re-checks just the links of
    that child; breached links wait in a heap by their position in `links`.
    """

    def __init__(self, suppressed: dict[Node, bool], people: dict[Node, int], links: list[tuple[Node, list[Node]]],
                 k: int) -> None:
        self.suppressed, self.people, self.links, self.k = suppressed, people, links, k
        self.hidden = [sum(people[c] for c in kids if suppressed[c]) for _, kids in links]
        self.above: dict[Node, list[int]] = defaultdict(list)
        for i, (_, kids) in enumerate(links):
            for kid in kids:
                self.above[kid].append(i)
        self.heap = [i for i in range(len(links)) if self._breached(i)]

    def _breached(self, i: int) -> bool:
        return not self.suppressed[self.links[i][0]] and 0 < self.hidden[i] < self.k

    def hide(self, node: Node) -> None:
        """Record that a node became suppressed."""
        for i in self.above[node]:
            self.hidden[i] += self.people[node]
            if self._breached(i):
                heapq.heappush(self.heap, i)

    def step(self) -> Node | None:
        """The node the contract's rule hides next, or None when every link holds."""
        while self.heap:
            i = self.heap[0]
            if self._breached(i):
                parent, kids = self.links[i]
                return min((c for c in kids if not self.suppressed[c] and self.people[c] > 0), key=_size(self.people),
                           default=parent)
            heapq.heappop(self.heap)
        return None


def suppress(people: dict[Node, int], k: int) -> dict[Node, bool]:
    """Which nodes to suppress: primary (people < k), then secondary until no shown figure reveals a small group.

    First the contract's rule (under a shown parent, suppressed children total none or at least k people;
    else the smallest shown children, ties by code, else the parent), repeated to a fixpoint. The contract's
    rule alone still lets a small group be recovered by adding and subtracting totals across hierarchies
    (e.g. municipality − its clinicians − (station − its clinicians)); so, second, while any hidden group of
    fewer than k people (the first in code order) follows from the shown totals, the smallest shown group of
    its derivation in a fixed basis (finest groups first, see `_Span`) is suppressed too, and the contract's rule
    is applied again. Suppressing only shrinks what can be derived, so a group once found safe stays safe.
    """
    suppressed = {node: n < k for node, n in people.items()}
    rule = _Rule(suppressed, people, hierarchies(people), k)
    targets = [n for n in sorted(people, key=_sort_key) if 0 < people[n] < k]
    span: _Span | None = None
    checked = 0
    while True:
        node = rule.step()
        if node is None:
            span = span or _Span(people, suppressed)
            while node is None and checked < len(targets):
                used = span.derivation(targets[checked])
                if used:
                    node = min(used, key=_size(people))
                else:
                    checked += 1
        if node is None or suppressed[node]:
            return suppressed
        suppressed[node] = True
        rule.hide(node)
        if span is not None:
            span.hide(node)


def partition_hash(people: dict[Node, int], k: int) -> str:
    """A digest of everything a partition's decision depends on: its groups, their people, k and the algorithm."""
    items = sorted(people.items(), key=lambda item: _sort_key(item[0]))
    return hashlib.sha256(repr((ALGORITHM, k, items)).encode()).hexdigest()


def suppress_frame(frame: pl.DataFrame, partition: list[str], people: str, k: int,
                   known: Callable[[list[str]], dict[str, dict[Node, bool]]] | None = None) -> pl.DataFrame:
    """Add `suppressed` and `input_hash` columns to a frame of groups, deciding per partition (e.g. month × question).

    Partitions with the same groups and people (the same `input_hash`) share one decision; one that `known` returns
    for its hash (decisions stored by an earlier build) is taken from there instead of being decided again.
    """
    key_cols = ["municipality", "station_id", "role_group"]
    rows = frame.select([*partition, *key_cols, people]).rows()
    by_part: dict[Hashable, dict[Node, int]] = defaultdict(dict)
    for row in rows:
        part, node, n = tuple(row[: len(partition)]), tuple(row[len(partition) : len(partition) + 3]), row[-1]
        by_part[part][node] = int(n or 0)  # type: ignore[index]
    hashes = {part: partition_hash(nodes, k) for part, nodes in by_part.items()}
    decided: dict[str, dict[Node, bool]] = {}
    todo: dict[str, dict[Node, int]] = {}
    stored_by_hash = known(sorted(set(hashes.values()))) if known else {}
    for part, nodes in by_part.items():
        digest = hashes[part]
        if digest not in decided and digest not in todo:
            stored = stored_by_hash.get(digest)
            if stored is not None and stored.keys() == nodes.keys():
                decided[digest] = stored
            else:
                todo[digest] = nodes
    decided |= decide(list(todo.items()), k)
    flags: list[bool] = []
    digests: list[str] = []
    for row in rows:
        part, node = tuple(row[: len(partition)]), tuple(row[len(partition) : len(partition) + 3])
        digests.append(hashes[part])
        flags.append(decided[hashes[part]][node])  # type: ignore[index]
    return frame.with_columns(pl.Series("suppressed", flags, dtype=pl.Boolean),
                              pl.Series("input_hash", digests, dtype=pl.String))


# A full national load decides hundreds of partitions of thousands of groups, most of its time: from this many groups
# on, the partitions are split between child processes (one per core, at most MAX_WORKERS). A decision is a pure
# function of its partition, so where it is made does not change it; a child that fails leaves its share to this
# process.
PARALLEL_FROM_GROUPS = 200_000
MAX_WORKERS = 4


def decide(todo: list[tuple[str, dict[Node, int]]], k: int) -> dict[str, dict[Node, bool]]:
    """The decisions of partitions (input hash, groups): here, or in parallel child processes for a large load."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS, len(todo))
    if workers < 2 or sum(len(nodes) for _, nodes in todo) < PARALLEL_FROM_GROUPS:
        return _decide_here(todo, k)
    shares: list[list[tuple[str, dict[Node, int]]]] = [[] for _ in range(workers)]
    sizes = [0] * workers
    for item in sorted(todo, key=lambda it: (-len(it[1]), it[0])):  # the largest first, to the least loaded child
        i = sizes.index(min(sizes))
        shares[i].append(item)
        sizes[i] += len(item[1])
    procs = []
    for share in shares:
        proc = subprocess.Popen([sys.executable, "-m", "warehouse.suppression"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdin is not None
        try:
            pickle.dump((k, share), proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.close()
        except OSError:
            pass  # the child died at start; its share is decided here below
        procs.append(proc)
    out: dict[str, dict[Node, bool]] = {}
    for proc, share in zip(procs, shares, strict=True):
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        proc.stdout.close()
        proc.wait()
        try:
            got = pickle.loads(stdout) if proc.returncode == 0 else None
        except (pickle.UnpicklingError, EOFError, ValueError):
            got = None
        if not isinstance(got, dict) or set(got) != {digest for digest, _ in share}:
            got = _decide_here(share, k)
        out |= got
    return out


def _decide_here(todo: list[tuple[str, dict[Node, int]]], k: int) -> dict[str, dict[Node, bool]]:
    return {digest: suppress(nodes, k) for digest, nodes in todo}


def _serve() -> None:
    """A child of `decide`: read (k, partitions) from stdin, write their decisions to stdout."""
    k, share = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by the parent process, never by a user
    pickle.dump(_decide_here(share, k), sys.stdout.buffer,
                protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _serve()
