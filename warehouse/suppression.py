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


def suppress(people: dict[Node, int], k: int) -> dict[Node, bool]:
    """Which nodes to suppress: primary (people < k), then secondary until no shown parent leaks."""
    suppressed = {node: n < k for node, n in people.items()}
    links = hierarchies(people)
    changed = True
    while changed:
        changed = False
        for parent, kids in links:
            if suppressed[parent]:
                continue
            hidden = sum(people[c] for c in kids if suppressed[c])
            if hidden == 0 or hidden >= k:
                continue
            candidates = sorted(
                (c for c in kids if not suppressed[c] and people[c] > 0), key=lambda c: (people[c], _code(c))
            )
            for c in candidates:
                suppressed[c] = True
                hidden += people[c]
                changed = True
                if hidden >= k:
                    break
            if hidden < k:
                suppressed[parent] = True
                changed = True
    return suppressed


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
