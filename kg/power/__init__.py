"""Measures of power and concentration: pure functions on DataFrames and graphs, no I/O.

- :mod:`kg.power.voting`: exact voting power on boards, reserved vetoes;
- :mod:`kg.power.centrality`: Bonacich power, PageRank on control ties, brokerage;
- :mod:`kg.power.money`: savings captured (exact or bounds), capture rate, public money;
- :mod:`kg.power.dependency`: share of critical services from one partner;
- :mod:`kg.power.concentration`: market shares, HHI, CR4, merger guidelines;
- :mod:`kg.power.dominance`: ranking, flags with reasons, early-warning indicators.
"""

from kg.power.concentration import concentration, hhi
from kg.power.voting import voting_power

__all__ = ["voting_power", "hhi", "concentration"]
