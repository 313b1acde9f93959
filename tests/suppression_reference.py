"""The suppression algorithm before it was made to scale (dense float SVD span check): a reference for tests only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

# A node is (municipality, station_id, role_group); None stands for "all" at that level.
Node = tuple[str | None, str | None, str | None]


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
    return tuple("" if part is None else part for part in node)  # type: ignore[return-value]


def _code(node: Node) -> str:
    """The code of a node at its own level, used to break ties between equally small children."""
    mun, st, grp = node
    return "|".join(p or "" for p in (st or mun, grp))


def _size(people: dict[Node, int]):  # noqa: ANN202 - sort key closure
    return lambda n: (people[n], _code(n))


class _Algebra:
    """Totals as sums of the finest cells (station × role group), to find every total that shown ones imply.

    Respondent and head counts stay visible, so a reader can add and subtract the totals (mean × n) of shown
    groups. A hidden group's total is recoverable exactly when its cell vector lies in the span of the shown
    groups' vectors (plus the cells known to be empty).
    """

    def __init__(self, people: dict[Node, int]) -> None:
        self.nodes = sorted(people, key=_sort_key)
        leaves = [n for n in self.nodes if n[1] is not None and n[2] is not None]
        self.empty = [i for i, leaf in enumerate(leaves) if people[leaf] == 0]
        self.row = {node: i for i, node in enumerate(self.nodes)}
        self.matrix = np.zeros((len(self.nodes), len(leaves)))
        for j, (mun, st, grp) in enumerate(leaves):
            # The groups that contain a cell: its station, municipality and region, each for its role group and all.
            for node in ((mun, st, grp), (mun, st, None), (mun, None, grp), (mun, None, None), (None, None, grp),
                         (None, None, None)):
                if node in self.row:
                    self.matrix[self.row[node], j] = 1.0

    def recoverable(
        self, suppressed: dict[Node, bool], people: dict[Node, int], k: int
    ) -> list[tuple[Node, list[Node]]]:
        """Hidden groups of 1..k−1 people whose total follows from shown ones, each with the shown groups used."""
        targets = [n for n in self.nodes if suppressed[n] and 0 < people[n] < k]
        shown = [n for n in self.nodes if not suppressed[n] and people[n] > 0]
        if not targets or not shown or self.matrix.shape[1] == 0:
            return []
        known = np.vstack([self.matrix[[self.row[n] for n in shown]], np.eye(self.matrix.shape[1])[self.empty]])
        _, sing, vt = np.linalg.svd(known, full_matrices=False)
        basis = vt[sing > 1e-9 * max(1.0, sing[0])]
        out = []
        for node in targets:
            v = self.matrix[self.row[node]]
            if np.linalg.norm(v - (v @ basis.T) @ basis) < 1e-7:
                coef = np.linalg.lstsq(known.T, v, rcond=None)[0][: len(shown)]
                out.append((node, [n for n, c in zip(shown, coef, strict=True) if abs(c) > 1e-7]))
        return out


def _contract_step(suppressed: dict[Node, bool], people: dict[Node, int], links: list[tuple[Node, list[Node]]],
                   k: int) -> Node | None:
    """The contract's rule: under a shown parent, suppressed children total none or ≥ k people."""
    for parent, kids in links:
        if suppressed[parent]:
            continue
        hidden = sum(people[c] for c in kids if suppressed[c])
        if 0 < hidden < k:
            shown = sorted((c for c in kids if not suppressed[c] and people[c] > 0), key=_size(people))
            return shown[0] if shown else parent
    return None


def suppress(people: dict[Node, int], k: int) -> dict[Node, bool]:
    """Which nodes to suppress: primary (people < k), then secondary until no shown figure reveals a small group.

    First the contract's rule (under a shown parent, suppressed children total none or at least k people;
    else the smallest shown children, ties by code, else the parent), repeated to a fixpoint. The contract's
    rule alone still lets a small group be recovered by adding and subtracting totals across hierarchies
    (e.g. municipality − its clinicians − (station − its clinicians)); so, second, while any hidden group of
    fewer than k people is implied by the shown totals, the smallest shown group used in that derivation is
    suppressed too, and the contract's rule is applied again.
    """
    suppressed = {node: n < k for node, n in people.items()}
    links = hierarchies(people)
    algebra: _Algebra | None = None
    while True:
        node = _contract_step(suppressed, people, links, k)
        if node is None:
            algebra = algebra or _Algebra(people)
            leaks = algebra.recoverable(suppressed, people, k)
            if leaks:
                _, used = leaks[0]
                node = min(used, key=_size(people))
        if node is None or suppressed[node]:
            return suppressed
        suppressed[node] = True

