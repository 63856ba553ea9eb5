"""Applying the curator's review to the discovered groups.

The groups of :mod:`kg.ingest.operators.grouping` become **assignments**: each ACO of a
group is assigned the group's operator, with a review status. An ACO's assignment starts
*confirmed* when the ACO itself shows a signal of its registry operator, *unreviewed*
otherwise; the review table then changes it (:data:`~kg.ingest.operators.registry.DECISIONS`):
a confirmed, renamed or merged group's ACOs, and an ACO split off to a target, become
confirmed; a rejected group or ACO yields no link.

A review row that names a group or ACO that does not exist, or a target that is no group
or registry operator, is an error naming its ``file:line``: the review must be about
what the files show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.core.errors import InputRowError
from kg.ingest.cms.crosswalk import ACO_ID
from kg.ingest.operators.grouping import Group
from kg.ingest.operators.keys import Key
from kg.ingest.operators.registry import Registry, Review

__all__ = ["Assigned", "Assignments", "assign"]


@dataclass
class Assigned:
    """The operator of one group after review: its id, name, kind, ACOs and their status."""

    group_id: str
    operator_id: str
    name: str
    kind: str
    acos: dict[str, str] = field(default_factory=dict)   # ACO -> confirmed | unreviewed
    ties: dict[str, set[Key]] = field(default_factory=dict)  # ACO -> keys that tie it
    registered: bool = False


@dataclass
class Assignments:
    operators: dict[str, Assigned]
    applied: list[str]


def _derived_name(group: Group) -> str:
    """A name for a group no registry operator anchors: its most shared brand or domain."""
    if group.label is None:
        return group.group_id + " (discovered group)"
    kind, value = group.label
    if kind == "legal_name_brand":
        value = value.title()
    elif kind == "aco_address":
        value = "ACOs at " + value.replace("|", " ")
    return value + " (discovered group)"


def assign(groups: list[Group], registry: Registry, reviews: list[Review],
           keys_of: dict[str, set[Key]],
           shown: dict[tuple[str, str], set[Key]] | None = None) -> Assignments:
    """Assign operators to the ACOs of `groups` and apply `reviews` (module docstring).

    `keys_of` gives each ACO's usable keys (to tell which of them tie it to its group);
    `shown` the keys of the observations in which an ACO shows a registry operator's
    signal, by ``(aco, operator_id)`` (by default: its keys that are registry keys).

    Raises
    ------
    InputRowError
        ``file:line`` of a review row whose subject or target does not exist.
    """
    registry_keys: dict[str, set[Key]] = {}
    for s in registry.signals:
        registry_keys.setdefault(s.operator_id, set()).add(s.key)
    ops: dict[str, Assigned] = {}
    where: dict[str, str] = {}
    for g in groups:
        reg = registry.operators.get(g.anchor) if g.anchor else None
        a = Assigned(g.group_id, reg.operator_id if reg else g.group_id,
                     reg.name if reg else _derived_name(g), reg.kind if reg else "unknown",
                     registered=reg is not None)
        own = registry_keys.get(a.operator_id, set())
        for aco in g.acos:
            shows = (shown.get((aco, a.operator_id), set()) if shown is not None
                     else keys_of.get(aco, set()) & own)
            ties = (keys_of.get(aco, set()) & (g.keys | own)) | g.attached.get(aco, set()) | shows
            a.ties[aco] = ties
            a.acos[aco] = "confirmed" if shows else "unreviewed"
            where[aco] = g.group_id
        ops[g.group_id] = a
    applied = []

    def target_group(review: Review) -> Assigned:
        t = review.target
        if t in ops:
            return ops[t]
        if t in registry.operators:
            r = registry.operators[t]
            ops[t] = Assigned(t, t, r.name, r.kind, registered=True)
            return ops[t]
        raise InputRowError(f"{review.where}: column target: {t!r} is neither a discovered group "
                         "nor an operator of the registry")

    for review in reviews:
        subject = review.subject
        is_aco = bool(ACO_ID.fullmatch(subject))
        if is_aco and subject not in where:
            raise InputRowError(f"{review.where}: column subject: ACO {subject} is in no discovered "
                             "group (nothing to review)")
        if not is_aco and subject not in ops:
            raise InputRowError(f"{review.where}: column subject: no discovered group {subject!r} "
                             f"(groups are named as in aco-kg discover's output, e.g. "
                             f"{next(iter(sorted(ops)), 'grp-example.com')})")
        if review.decision in ("split",) and not is_aco:
            raise InputRowError(f"{review.where}: column subject: a split names an ACO (ACO_ID), "
                             f"not a group")
        if review.decision in ("confirm", "merge", "rename") and is_aco:
            raise InputRowError(f"{review.where}: column subject: a {review.decision} names a "
                             f"group, not an ACO")
        if review.decision == "reject":
            if is_aco:
                group = ops[where.pop(subject)]
                group.acos.pop(subject)
            else:
                for aco in ops.pop(subject).acos:
                    where.pop(aco, None)
        elif review.decision == "confirm":
            group = ops[subject]
            if review.target:
                if review.target not in registry.operators:
                    raise InputRowError(f"{review.where}: column target: {review.target!r} is not an "
                                     "operator of the registry")
                r = registry.operators[review.target]
                group.operator_id, group.name, group.kind, group.registered = (
                    r.operator_id, r.name, r.kind, True)
            group.acos = dict.fromkeys(group.acos, "confirmed")
        elif review.decision == "rename":
            group = ops[subject]
            group.name = review.target
            group.acos = dict.fromkeys(group.acos, "confirmed")
        elif review.decision == "merge":
            target = target_group(review)
            if target is ops[subject]:
                raise InputRowError(f"{review.where}: column target: a group cannot merge into itself")
            source = ops.pop(subject)
            for aco in source.acos:
                target.acos[aco] = "confirmed"
                target.ties[aco] = source.ties.get(aco, set())
                where[aco] = target.group_id
            target.acos = dict.fromkeys(target.acos, "confirmed")
        elif review.decision == "split":
            target = target_group(review)
            source = ops[where[subject]]
            source.acos.pop(subject)
            target.acos[subject] = "confirmed"
            target.ties[subject] = source.ties.get(subject, set())
            where[subject] = target.group_id
        applied.append(f"{review.where}: {review.decision} {subject}"
                       + (f" -> {review.target}" if review.target else ""))
    return Assignments({k: v for k, v in ops.items() if v.acos}, applied)
