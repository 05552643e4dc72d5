"""Split the week's routing into independent parts: crews and candidates joined by the LPAs they share.

With ``crews_stay_in_lpa`` a crew visits only premises in the LPAs its
members cover, so the routing model falls apart into connected components
of the graph LPA -- crew (a crew joins every LPA its members cover) and
LPA -- candidate (a candidate joins its premises' LPA).  No crew of one
component can visit a candidate of another, so routing each component on
its own loses nothing: the plans of the parts together are a plan of the
whole, and the bounds of the parts add up to a bound of the whole.

A crew that covers any LPA (a member without one), a candidate whose
premises has no LPA, or ``crews_stay_in_lpa = false`` joins everything into
one component, which is the single model of the week as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from licvisit.core.plan.candidates import Candidate
from licvisit.domain import Crew


@dataclass(frozen=True)
class Component:
    """One independent part of the week's routing: its LPAs, crews and candidates (indices)."""

    lpas: tuple[str, ...]
    crews: tuple[int, ...]  # indices into the roster's crews
    candidates: tuple[int, ...]  # indices into the candidates


def week_components(crews: list[Crew], candidates: list[Candidate], stay_in_lpa: bool) -> list[Component]:
    """Return the independent components of the week's routing, largest first (ties by LPA names).

    Candidates of an LPA no crew covers are added to the first component:
    they get no visit node there (no crew may visit them), so they are
    explained as before.  A locked candidate joins its locked crew's component, so a lock
    to a crew outside its LPA fails with the same message as in one model.

    Parameters
    ----------
    crews : the rostered crews (``Crew.lpas`` empty = covers any LPA).
    candidates : candidate visits (``meta["lpa"]`` empty = any crew of its type may visit it).
    stay_in_lpa : ``PlanParams.crews_stay_in_lpa``; false gives one component.
    """
    cand_lpa = [str(cand.meta.get("lpa", "") or "") for cand in candidates]
    if not crews or not stay_in_lpa or any(not c.lpas for c in crews) or not all(cand_lpa):
        every = Component(
            _lpa_names(candidates, crews), tuple(range(len(crews))), tuple(range(len(candidates)))
        )
        return [every]
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    crew_node: list[str] = []
    for c in crews:
        for lpa in c.lpas[1:]:
            union(c.lpas[0], lpa)
        find(c.lpas[0])
        crew_node.append(c.lpas[0])
    by_id = {c.crew_id: i for i, c in enumerate(crews)}
    for cand, lpa in zip(candidates, cand_lpa, strict=True):
        if cand.lock is not None and cand.lock.crew_id in by_id:
            union(lpa, crew_node[by_id[cand.lock.crew_id]])
    roots: dict[str, tuple[list[int], list[int]]] = {}
    for i, node in enumerate(crew_node):
        roots.setdefault(find(node), ([], []))[0].append(i)
    orphans: list[int] = []
    for ci, node in enumerate(cand_lpa):
        if node in parent:
            roots[find(node)][1].append(ci)
        else:
            orphans.append(ci)  # no crew covers its LPA
    lpas_of: dict[str, set[str]] = {}
    for node in parent:
        lpas_of.setdefault(find(node), set()).add(node)
    parts = sorted(
        roots.items(), key=lambda kv: (-len(kv[1][0]) - len(kv[1][1]), sorted(lpas_of.get(kv[0], set())))
    )
    out = []
    for k, (root, (vs, cis)) in enumerate(parts):
        if k == 0:
            cis = sorted(cis + orphans)
        out.append(Component(tuple(sorted(lpas_of.get(root, set()))), tuple(vs), tuple(cis)))
    return out


def component_work_limit(
    work_limit: int,
    size: tuple[int, int],
    total_nodes: int,
    floor_share: float,
    ref_size: int,
    exponent: float = 3.0,
) -> int:
    """The routing work limit of a component of ``size`` = (visit nodes, crews).

    Its share of the week's ``work_limit`` in proportion to its visit nodes (the week's are
    ``total_nodes``), at least ``floor_share`` of it; and when visit nodes x crews exceed
    ``ref_size``, that times ``(ref_size / (nodes x crews)) ** exponent``.  A unit of the solver's
    work costs more in a larger model: from the greedy start, 0.1 ms per unit at 1,199 nodes x 41
    crews (the demo week), 1.8-2 ms at 2,980 x 104 (a team three times as large), so a large part
    needs far fewer units to take about its share of the time; the third power keeps such a part
    well inside the time cap on a loaded machine, so it stops on work.  0 (no work limit) stays 0.
    Deterministic: it depends only on the model's size.
    """
    if work_limit <= 0:
        return 0
    nodes, crews = size
    share = nodes / total_nodes if total_nodes > 0 else 1.0
    work = work_limit * max(share, floor_share)
    if ref_size > 0 and nodes * crews > ref_size:
        work *= (ref_size / (nodes * crews)) ** exponent
    return max(1, min(work_limit, math.ceil(work)))


def _lpa_names(candidates: list[Candidate], crews: list[Crew]) -> tuple[str, ...]:
    names = {str(c.meta.get("lpa", "") or "") for c in candidates} | {x for c in crews for x in c.lpas}
    return tuple(sorted(n for n in names if n))


__all__ = ["Component", "component_work_limit", "week_components"]
