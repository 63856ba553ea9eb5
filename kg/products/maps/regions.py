"""US Census Bureau divisions of the states: how the map groups the ACOs it summarises.

The nine divisions (and the territories) are the standard grouping of the Census Bureau's
"Census Regions and Divisions of the United States"; the map folds the ACOs that have no
operator and no shared participant into one node per state, and the states into one node
per division, so that about ten nodes stand for them until an analyst expands one.

Examples
--------
>>> division("NM"), division("PR"), division(None)
('Mountain', 'Territories', 'State not recorded')
>>> DIVISIONS.index("New England")
0
"""

from __future__ import annotations

__all__ = ["DIVISIONS", "division"]

_STATES = {
    "New England": "CT ME MA NH RI VT",
    "Middle Atlantic": "NJ NY PA",
    "East North Central": "IL IN MI OH WI",
    "West North Central": "IA KS MN MO NE ND SD",
    "South Atlantic": "DE DC FL GA MD NC SC VA WV",
    "East South Central": "AL KY MS TN",
    "West South Central": "AR LA OK TX",
    "Mountain": "AZ CO ID MT NV NM UT WY",
    "Pacific": "AK CA HI OR WA",
    "Territories": "AS GU MP PR VI",
}
#: The divisions in the Census Bureau's order, then the territories and the unknown.
DIVISIONS = tuple(_STATES) + ("State not recorded",)
_OF = {state: name for name, states in _STATES.items() for state in states.split()}


def division(state: str | None) -> str:
    """The Census division of a USPS code ("State not recorded" for none or an unknown code)."""
    return _OF.get(state or "", "State not recorded")
