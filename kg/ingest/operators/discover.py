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


def _check_registry(registry: Registry, observations: list[Observation]) -> None:
    seen = {key(o.signal, o.value) for o in observations}
    for s in registry.signals:
        if s.key not in seen:
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
    _check_registry(registry, signals.observations)
    grouping = group(signals.observations, excluded, registry.anchors())
    keys_of: dict[str, set[Key]] = defaultdict(set)
    obs_of: dict[str, list[Observation]] = defaultdict(list)
    for o in grouping.observations:
        keys_of[o.aco_id].add(key(o.signal, o.value))
        obs_of[o.aco_id].append(o)
    assignments = assign(grouping.groups, registry, reviews, keys_of)
    links = []
    for op in assignments.operators.values():
        for aco, status in sorted(op.acos.items()):
            ties = op.ties.get(aco, set())
            tied = [o for o in obs_of[aco] if key(o.signal, o.value) in ties]
            if not tied:  # moved by the review without a signal of its own: its latest names
                tied = [o for o in obs_of[aco] if o.signal == "legal_name_brand"] or obs_of[aco]
            for first, last in spans({o.year for o in tied}, program=signals.years.get(aco, ()),
                                     file_years=signals.file_years):
                within = tuple(o for o in tied if first <= o.year <= last)
                links.append(Link(aco, op.operator_id, op.group_id, status, first, last, within))
    links.sort(key=lambda x: (x.operator_id, x.aco_id, x.first_year))
    return Discovery(signals, grouping, registry, assignments, links)


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
