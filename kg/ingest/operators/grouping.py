"""Grouping ACOs into candidate operators: tiered union with a bridge guard.

ACOs that share the key of a signal (:mod:`kg.ingest.operators.keys`) are candidates for
one operator. A plain union over every shared value chains: one shared address, one
hospital in two ACOs, one consultant's e-mail domain would fuse two companies. So the
union goes in tiers, strongest first, and every merge passes the **bridge guard**:

0. **Registry anchors.** An ACO that shows a signal of a registry operator
   (``data/operators/operator_signals.csv``) is tied to that operator. ACOs of two
   registry operators never merge, whatever they share; an ACO that shows signals of two
   operators goes to the one observed last (and the conflict is reported).
1. **Own domains** (reporting-site hosts in either file, executives' e-mail domains), then
2. **brands** (:func:`~kg.ingest.operators.normalise.brand` of the ACO's *latest* legal
   name: an ACO that changed hands keeps its new operator's brand only, so its old name
   cannot chain the new operator to the old one), then
3. **public contact e-mail domains and addresses** (weak: a vendor that answers an ACO's
   public mail, or a building, is not a controller). In every tier, all the ACOs that share one value merge, unless
   that would join two *established* groups (groups of two or more ACOs, or anchored):
   then nothing merges and the value is reported as a refused bridge. A value never
   joins two anchored groups. When a value touches one established group, its lone ACOs
   join that group only if more of the value's ACOs are already in it than not (the
   value is the group's own), or if at least half of the group's ACOs show it (the group
   is the value's); otherwise they group apart (an ACO that moved to another
   operator keeps its former operator's e-mail domain: that domain must not pull the
   former operator's other ACOs along). A value that is a registry signal of the group's
   operator always joins.
4. **Shared participants** (weakest) never create a group nor join two: an ACO still
   alone after the tiers above, and without a web domain of its own (a domain that no
   other ACO shares says the ACO is its own), joins the one established group with which
   it shares at least :data:`MIN_SHARED_PARTICIPANTS` participant organizations (none on
   a tie).

Within a tier, values are taken by decreasing number of ACOs (then by value), so the
result does not depend on the order of the files. Excluded values
(:mod:`kg.ingest.operators.exclusions`) take no part.

Examples
--------
Two companies (own domains a.com and b.com) whose ACOs share one address stay apart;
a third ACO at the address, alone otherwise, joins neither (the address would bridge):

>>> from kg.ingest.operators.signals import Observation
>>> obs = [Observation("A0001", "website_host", "a.com", 2023, "r.csv", 2),
...        Observation("A0002", "website_host", "a.com", 2023, "r.csv", 3),
...        Observation("A0003", "website_host", "b.com", 2023, "r.csv", 4),
...        Observation("A0004", "website_host", "b.com", 2023, "r.csv", 5)]
>>> obs += [Observation(a, "aco_address", "1mainst|10001", 2023, "r.csv", n)
...         for n, a in enumerate(["A0002", "A0003", "A0005"], 3)]
>>> result = group(obs)
>>> sorted(sorted(g.acos) for g in result.groups)
[['A0001', 'A0002'], ['A0003', 'A0004']]
>>> [b.key for b in result.refused]
[('aco_address', '1mainst|10001')]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.ingest.cms.cells import slug
from kg.ingest.operators.exclusions import Exclusions
from kg.ingest.operators.keys import Key, key
from kg.ingest.operators.signals import Observation

__all__ = ["TIERS", "MIN_SHARED_PARTICIPANTS", "Group", "Refused", "Grouping", "group",
           "usable"]

#: The signals of each union tier, strongest first (shared participants come last, apart).
TIERS = (("website_host", "exec_email_domain", "participant_website_host"),
         ("legal_name_brand",),
         ("public_email_domain", "aco_address"))
#: Participant organizations an ACO must share with a group to join it on them alone.
MIN_SHARED_PARTICIPANTS = 2


@dataclass
class Group:
    """A candidate operator: its ACOs and the keys that tie them (with their tier)."""

    group_id: str
    acos: set[str]
    keys: set[Key]
    anchor: str | None = None
    attached: dict[str, set[Key]] = field(default_factory=dict)
    label: Key | None = None


@dataclass(frozen=True)
class Refused:
    """A value whose ACOs were not merged, and why."""

    key: Key
    acos: tuple[str, ...]
    reason: str


@dataclass
class Grouping:
    groups: list[Group]
    refused: list[Refused]
    conflicts: list[str]
    observations: list[Observation]
    excluded: Counter

    def group_of(self) -> dict[str, Group]:
        return {a: g for g in self.groups for a in g.acos}


class _Union:
    def __init__(self):
        self.parent: dict[str, str] = {}
        self.size: dict[str, int] = {}
        self.anchor: dict[str, str | None] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        self.size.setdefault(x, 1)
        self.anchor.setdefault(x, None)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def established(self, root: str) -> bool:
        return self.size[root] >= 2 or self.anchor[root] is not None

    def union(self, a: str, b: str) -> str:
        a, b = self.find(a), self.find(b)
        if a == b:
            return a
        if (self.size[a], a) < (self.size[b], b):
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        self.anchor[a] = self.anchor[a] or self.anchor[b]
        return a


def usable(observations: Iterable[Observation], exclusions: Exclusions | None = None
           ) -> tuple[list[Observation], Counter]:
    """The observations that take part in grouping: not excluded, and of brands only the
    ACO's latest (see the module docstring). Also the count of exclusions by category."""
    exclusions = exclusions or Exclusions({})
    excluded: Counter = Counter()
    kept = []
    latest: dict[str, int] = {}
    for o in observations:
        if o.signal == "legal_name_brand":
            latest[o.aco_id] = max(latest.get(o.aco_id, 0), o.year)
    latest_brands = {(o.aco_id, o.value) for o in observations
                     if o.signal == "legal_name_brand" and o.year == latest[o.aco_id]}
    for o in observations:
        if o.signal == "legal_name_brand" and (o.aco_id, o.value) not in latest_brands:
            continue
        category = exclusions.category(key(o.signal, o.value))
        if category:
            excluded[category] += 1
            continue
        kept.append(o)
    return kept, excluded


def group(observations: Iterable[Observation], exclusions: Exclusions | None = None,
          anchors: dict[Key, str] | None = None,
          anchored: dict[str, dict[str, int]] | None = None) -> Grouping:
    """Group the ACOs of `observations` (see the module docstring).

    `anchors` maps a key to a registry operator_id; `anchored` gives, per ACO, the registry
    operators whose signals it shows and the last year it showed each (or a sortable
    (year, strength) pair; by default worked out from `anchors`).
    """
    anchors = anchors or {}
    observations = list(observations)
    kept, excluded = usable(observations, exclusions)
    uf = _Union()
    conflicts: list[str] = []
    refused: list[Refused] = []
    buckets: dict[Key, set[str]] = defaultdict(set)
    participant_keys: dict[str, set[Key]] = defaultdict(set)
    own_keys: dict[str, set[Key]] = defaultdict(set)
    for o in kept:
        k = key(o.signal, o.value)
        own_keys[o.aco_id].add(k)
        if k[0] == "shared_participant":
            participant_keys[o.aco_id].add(k)
        buckets[k].add(o.aco_id)
    # 0. registry anchors: the operator observed last wins an ACO that shows two
    seen: dict[str, dict[str, int]] = defaultdict(dict)
    if anchored is not None:
        seen.update({aco: dict(ops) for aco, ops in anchored.items()})
    else:
        for o in kept:
            op = anchors.get(key(o.signal, o.value))
            if op:
                seen[o.aco_id][op] = max(seen[o.aco_id].get(op, 0), o.year)
    anchored_keys: set[Key] = set()
    for aco, ops in sorted(seen.items()):
        if not ops:
            continue
        op = max(sorted(ops), key=lambda x: ops[x])
        if len(ops) > 1:
            year = ops[op][0] if isinstance(ops[op], tuple) else ops[op]
            conflicts.append(f"ACO {aco} shows signals of {', '.join(sorted(ops))}: "
                             f"assigned to {op} (observed last, PY{year}, by the strongest signal)")
        node = f"op:{op}"
        uf.find(node)
        uf.anchor[uf.find(node)] = op
        uf.union(node, aco)
    for k, op in anchors.items():
        if k in buckets:
            anchored_keys.add(k)
    # 1-3. tiers
    tiered: list[dict[Key, set[str]]] = [defaultdict(set) for _ in TIERS]
    for o in kept:
        for rank, signals in enumerate(TIERS):
            if o.signal in signals:
                for later in tiered[rank:]:
                    later[key(o.signal, o.value)].add(o.aco_id)
    for rank in range(len(TIERS)):
        # in tier r, a key ties the ACOs that show it through a signal of tier r or a
        # stronger one (a domain some ACOs use as host and others only for public mail
        # ties the first in tier 1, and all of them in tier 3)
        values = sorted(((k, m) for k, m in tiered[rank].items() if len(m) >= 2),
                        key=lambda km: (-len(km[1]), km[0]))
        for k, members in values:
            roots = {uf.find(a) for a in members}
            ops = {uf.anchor[r] for r in roots} - {None}
            established = [r for r in roots if uf.established(r)]
            if len(ops) > 1:
                refused.append(Refused(k, tuple(sorted(members)),
                                       f"would join registry operators {', '.join(sorted(ops))}"))
                continue
            if len(established) > 1 and k not in anchored_keys:
                refused.append(Refused(k, tuple(sorted(members)),
                                       f"would join {len(established)} established groups"))
                continue
            joined = set(members)
            own = anchors.get(k) is not None and anchors.get(k) == uf.anchor[established[0]] \
                if established else False
            if len(established) == 1 and not own:
                inside = {a for a in members if uf.find(a) == established[0]}
                outside = joined - inside
                size = uf.size[established[0]] - (uf.anchor[established[0]] is not None)
                if len(inside) <= len(outside) and 2 * len(inside) < size:
                    # mostly not the group's value: its other ACOs group apart
                    joined = outside if len(outside) >= 2 else set()
                    refused.append(Refused(k, tuple(sorted(inside)),
                                           "the value is mostly outside the group of these "
                                           "ACOs: they stay in it, the others group apart"))
            first = min(joined, default=None)
            for a in joined:
                uf.union(first, a)
    # 4. shared participants attach lone ACOs
    members_of: dict[str, set[str]] = defaultdict(set)
    for node in list(uf.parent):
        members_of[uf.find(node)].add(node)
    attached: dict[str, tuple[str, set[Key]]] = {}
    for aco in sorted(participant_keys):
        root = uf.find(aco)
        if uf.established(root) or any(k[0] == "domain" for k in own_keys[aco]):
            continue
        counts: Counter = Counter()
        shared: dict[str, set[Key]] = defaultdict(set)
        for k in participant_keys[aco]:
            for other in buckets[k] - {aco}:
                r = uf.find(other)
                if uf.established(r):
                    counts[r] += 1 if k not in shared[r] else 0
                    shared[r].add(k)
        best = counts.most_common(2)
        if best and best[0][1] >= MIN_SHARED_PARTICIPANTS and (len(best) == 1 or best[1][1] < best[0][1]):
            attached[aco] = (best[0][0], shared[best[0][0]])
    for aco, (root, keys) in attached.items():
        uf.union(root, aco)
    return Grouping(_groups(uf, buckets, kept, attached), refused, conflicts, kept, excluded)


def _groups(uf: _Union, buckets, kept: list[Observation], attached) -> list[Group]:
    by_root: dict[str, set[str]] = defaultdict(set)
    for node in list(uf.parent):
        by_root[uf.find(node)].add(node)
    keys_of: dict[str, set[Key]] = defaultdict(set)
    for o in kept:
        keys_of[o.aco_id].add(key(o.signal, o.value))
    groups = []
    taken: set[str] = set()
    for root, nodes in by_root.items():
        acos = {n for n in nodes if not n.startswith("op:")}
        anchor = uf.anchor[root]
        if len(acos) < 2 and anchor is None:
            continue
        # the keys that tie the group: shared by two of its ACOs (or anchoring it)
        counts: Counter = Counter(k for a in acos for k in keys_of[a]
                                  if k[0] != "shared_participant")
        keys = {k for k, n in counts.items() if n >= 2}
        label = _label(keys, counts)
        group_id = anchor or _group_id(label, taken)
        taken.add(group_id)
        g = Group(group_id, acos, keys, anchor,
                  {a: attached[a][1] for a in acos if a in attached}, label)
        groups.append(g)
    return sorted(groups, key=lambda g: g.group_id)


_ORDER = {"domain": 0, "legal_name_brand": 1, "aco_address": 2}


def _label(keys: set[Key], counts: Counter) -> Key | None:
    """The key shared by most of the group's ACOs (a domain before a brand before an address)."""
    if not keys:
        return None
    return min(keys, key=lambda k: (-counts[k], _ORDER.get(k[0], 9), k[1]))


def _group_id(label: Key | None, taken: set[str]) -> str:
    base = "grp-" + (slug(label[1].split("|")[0], 40) if label else "x")
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name
