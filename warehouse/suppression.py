"""Primary and secondary suppression of small groups over the hierarchies that the marts hold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

import polars as pl

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


def known_nodes(suppressed: dict[Node, bool], people: dict[Node, int],
                links: list[tuple[Node, list[Node]]]) -> set[Node]:
    """Shown nodes and every suppressed node whose sums follow from one link (parent = Σ children)."""
    known = {n for n, hidden in suppressed.items() if not hidden or people[n] == 0}
    changed = True
    while changed:
        changed = False
        for parent, kids in links:
            missing = [m for m in (parent, *kids) if m not in known]
            if len(missing) == 1:
                known.add(missing[0])
                changed = True
    return known


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


def _breaker(node: Node, suppressed: dict[Node, bool], people: dict[Node, int], known: set[Node],
             links: list[tuple[Node, list[Node]]], seen: frozenset[Node] = frozenset()) -> Node | None:
    """A shown node whose suppression stops `node` from following from a link."""
    for parent, kids in links:
        members = (parent, *kids)
        if node not in members or any(m not in known for m in members if m != node):
            continue
        shown = sorted((m for m in members if m != node and not suppressed[m] and people[m] > 0),
                       key=_size(people))
        if shown:
            return shown[0]
        for m in sorted((m for m in members if m != node and people[m] > 0 and m not in seen), key=_size(people)):
            found = _breaker(m, suppressed, people, known, links, seen | {node})
            if found is not None:
                return found
    return None


def _derivation_step(suppressed: dict[Node, bool], people: dict[Node, int], links: list[tuple[Node, list[Node]]],
                     k: int) -> Node | None:
    """Beyond the contract's rule: no group under k may follow from shown figures through several links."""
    known = known_nodes(suppressed, people, links)
    for parent, kids in links:
        if parent not in known:
            continue
        unknown = sum(people[c] for c in kids if c not in known)
        if 0 < unknown < k:
            shown = sorted((c for c in kids if not suppressed[c] and people[c] > 0), key=_size(people))
            if shown:
                return shown[0]
            if not suppressed[parent]:
                return parent
            return _breaker(parent, suppressed, people, known, links)
    for node in sorted(people, key=_sort_key):
        if suppressed[node] and 0 < people[node] < k and node in known:
            found = _breaker(node, suppressed, people, known, links)
            if found is not None:
                return found
    return None


def suppress(people: dict[Node, int], k: int) -> dict[Node, bool]:
    """Which nodes to suppress: primary (people < k), then secondary until no shown figure reveals a small group.

    First the contract's rule (under a shown parent, suppressed children total none or at least k people;
    else the smallest shown children, ties by code, else the parent), repeated to a fixpoint. The contract's
    rule alone lets a suppressed parent be re-derived from its shown children and then subtracted from a
    shown grandparent, so a second rule treats every figure that follows from shown ones as shown too.
    """
    suppressed = {node: n < k for node, n in people.items()}
    links = hierarchies(people)
    while True:
        node = _contract_step(suppressed, people, links, k)
        if node is None:
            node = _derivation_step(suppressed, people, links, k)
        if node is None or suppressed[node]:
            return suppressed
        suppressed[node] = True


def suppress_frame(frame: pl.DataFrame, partition: list[str], people: str, k: int) -> pl.DataFrame:
    """Add a `suppressed` column to a frame of groups, deciding per partition (e.g. month × question)."""
    key_cols = ["municipality", "station_id", "role_group"]
    flags: list[bool] = []
    rows = frame.select([*partition, *key_cols, people]).rows()
    by_part: dict[Hashable, dict[Node, int]] = defaultdict(dict)
    for row in rows:
        part, node, n = tuple(row[: len(partition)]), tuple(row[len(partition) : len(partition) + 3]), row[-1]
        by_part[part][node] = int(n or 0)  # type: ignore[index]
    decided = {part: suppress(nodes, k) for part, nodes in by_part.items()}
    for row in rows:
        part, node = tuple(row[: len(partition)]), tuple(row[len(partition) : len(partition) + 3])
        flags.append(decided[part][node])  # type: ignore[index]
    return frame.with_columns(pl.Series("suppressed", flags, dtype=pl.Boolean))
