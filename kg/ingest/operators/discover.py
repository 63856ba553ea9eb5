"""Discovery: from the CMS files to dated, evidenced ACO-operator links.

:func:`discover` reads the signals (:mod:`.signals`), drops the generic ones
(:mod:`.exclusions`), groups the ACOs (:mod:`.grouping`), anchors and reviews the groups
(:mod:`.registry`, :mod:`.review`) and dates each link (:mod:`.dating`). It checks the
curated tables against what the files show first: a registry signal that matches no
observation is an error naming its ``file:line``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.core.errors import InputRowError
from kg.ingest.operators.dating import spans
from kg.ingest.operators.exclusions import read_exclusions
from kg.ingest.operators.grouping import Grouping, group
from kg.ingest.operators.keys import Key, key
from kg.ingest.operators.registry import REGISTRY_DIR, Registry, read_registry, read_review
from kg.ingest.operators.review import Assignments, assign
from kg.ingest.operators.signals import Observation, Signals, read_signals

__all__ = ["Link", "Discovery", "discover", "discover_files"]

#: When an ACO shows the signals of two registry operators in its latest year, the one it
#: shows through the stronger signal wins: its executive's e-mail domain or its legal name
#: (the owner) before its sites, before its public contact's domain or address (a manager
#: or vendor that answers for it).
_STRENGTH = {"exec_email_domain": 2, "legal_name_brand": 2, "website_host": 1,
             "participant_website_host": 1}


@dataclass(frozen=True)
class Link:
    """One ACO, one operator, one validity span, and the observations behind it."""

    aco_id: str
    operator_id: str
    group_id: str
    review: str
    first_year: int
    last_year: int
    observations: tuple[Observation, ...]

    @property
    def signals(self) -> str:
        """``signal=value; ...`` (distinct, sorted)."""
        return "; ".join(sorted({f"{o.signal}={o.value}" for o in self.observations}))

    @property
    def locator(self) -> str:
        """The file, line and year of each observation."""
        return "; ".join(sorted({f"{o.place} {o.signal}" for o in self.observations}))


@dataclass
class Discovery:
    signals: Signals
    grouping: Grouping
    registry: Registry
    assignments: Assignments
    links: list[Link] = field(default_factory=list)

    def operator_links(self, year: int | None = None) -> list[Link]:
        """The links valid in `year` (all when None)."""
        return [x for x in self.links if year is None or x.first_year <= year <= x.last_year]


def _check_registry(registry: Registry, used: set[int]) -> None:
    for i, s in enumerate(registry.signals):
        if i not in used:
            raise InputRowError(f"{s.file}:{s.line}: column value: the {s.signal} {s.value!r} of "
                                f"{s.operator_id} matches no ACO of the files read")


def discover(signals: Signals, *, registry_dir: str | Path | None = None,
             exclusions: str | Path | None = None, review: str | Path | None = None
             ) -> Discovery:
    """Group, review and date; see the module docstring.

    Raises
    ------
    InputRowError
        ``file:line`` of a bad row of the curated tables.
    """
    folder = Path(registry_dir) if registry_dir else REGISTRY_DIR
    registry = read_registry(folder)
    excluded = read_exclusions(exclusions or folder / "exclusions.csv")
    reviews = read_review(review or folder / "review.csv")
    hits, used = registry.hits(signals.observations, signals.legal_names)
    _check_registry(registry, used)
    anchored = {aco: {op: max((o.year, _STRENGTH.get(o.signal, 0)) for o in found)
                      for op, found in ops.items()}
                for aco, ops in hits.items()}
    grouping = group(signals.observations, excluded, registry.anchors(), anchored)
    keys_of: dict[str, set[Key]] = defaultdict(set)
    obs_of: dict[str, list[Observation]] = defaultdict(list)
    for o in grouping.observations:
        keys_of[o.aco_id].add(key(o.signal, o.value))
        obs_of[o.aco_id].append(o)
    registry_obs = {(aco, op): found for aco, ops in hits.items() for op, found in ops.items()}
    assignments = assign(grouping.groups, registry, reviews, keys_of,
                         {pair: {key(o.signal, o.value) for o in found}
                          for pair, found in registry_obs.items()})
    links = []
    for op in assignments.operators.values():
        for aco, status in sorted(op.acos.items()):
            ties = op.ties.get(aco, set())
            tied = [o for o in obs_of[aco] if key(o.signal, o.value) in ties]
            tied += [o for o in registry_obs.get((aco, op.operator_id), ()) if o not in tied]
            if not tied:  # moved by the review without a signal of its own: its latest names
                tied = [o for o in obs_of[aco] if o.signal == "legal_name_brand"] or obs_of[aco]
            for first, last in spans({o.year for o in tied}, program=signals.years.get(aco, ()),
                                     file_years=signals.file_years):
                within = tuple(o for o in tied if first <= o.year <= last)
                links.append(Link(aco, op.operator_id, op.group_id, status, first, last, within))
    links += _former_operators(links, hits, registry, assignments, signals)
    links.sort(key=lambda x: (x.operator_id, x.aco_id, x.first_year))
    return Discovery(signals, grouping, registry, assignments, links)


def _former_operators(links: list[Link], hits, registry: Registry, assignments: Assignments,
                      signals: Signals) -> list[Link]:
    """Links to the registry operators an ACO showed before its current one.

    An ACO goes to one group (:mod:`.grouping`), the operator it shows last. When it showed
    another registry operator's signals only in years before its link to that one begins
    (an ACO that changed hands: familychoice.com in PY2023, an Aledade name in PY2026), the
    former operator gets a link of its own, dated by those observations; when the years
    overlap (an owner and the vendor that answers its mail), it gets none.
    """
    from kg.ingest.operators.review import Assigned
    current: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        current[link.aco_id].append(link)
    extra = []
    for aco, ops in sorted(hits.items()):
        if aco not in current or len(ops) < 2:
            continue
        start = min(x.first_year for x in current[aco])
        taken = {x.operator_id for x in current[aco]}
        for op, found in sorted(ops.items()):
            if op in taken or max(o.year for o in found) >= start:
                continue
            reg = registry.operators[op]
            assigned = assignments.operators.setdefault(
                op, Assigned(op, op, reg.name, reg.kind, registered=True))
            assigned.acos.setdefault(aco, "confirmed")
            for first, last in spans({o.year for o in found}, program=signals.years.get(aco, ()),
                                     file_years=signals.file_years):
                extra.append(Link(aco, op, assigned.group_id, "confirmed", first, last,
                                  tuple(o for o in found if first <= o.year <= last)))
    return extra


def discover_files(cms_dir: str | Path, **kwargs) -> Discovery:
    """Discover from the CMS files of a folder named as the shipped ones are
    (``mssp_results_YYYY.csv``, ``mssp_aco_roster_YYYY.csv``,
    ``mssp_participants_YYYY.csv``, ``aco_id_crosswalk.csv``)."""
    cms = Path(cms_dir)
    crosswalk = cms / "aco_id_crosswalk.csv"
    signals = read_signals(results=sorted(cms.glob("mssp_results_*.csv")),
                           roster=sorted(cms.glob("mssp_aco_roster_*.csv")),
                           participants=sorted(cms.glob("mssp_participants_*.csv")),
                           crosswalk=crosswalk if crosswalk.exists() else None)
    return discover(signals, **kwargs)
