"""Measures of power and concentration: pure functions on DataFrames and graphs, no I/O.

- :mod:`kg.analysis.power.voting`: exact voting power on boards, reserved vetoes;
- :mod:`kg.analysis.power.centrality`: Bonacich power, PageRank on control ties, brokerage;
- :mod:`kg.analysis.power.money`: savings captured (exact or bounds), capture rate, public money;
- :mod:`kg.analysis.power.dependency`: share of critical services from one partner;
- :mod:`kg.analysis.power.concentration`: market shares, HHI, CR4, merger guidelines;
- :mod:`kg.analysis.power.dominance`: ranking, flags with reasons, early-warning indicators.
"""

from kg.analysis.power.concentration import concentration, hhi
from kg.analysis.power.voting import voting_power

__all__ = ["voting_power", "hhi", "concentration"]
