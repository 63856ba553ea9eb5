"""The years in which an ACO-operator link holds: observations, and the carrying rule.

A link inferred from one year's file holds for that performance year: the years in which
the ACO showed a signal that ties it to its operator are its **observations**. The rule
that carries a link to other years:

* **never before the first observation** (a brand seen in PY2020 says nothing of 2019);
* **between two observations** the link holds in every year, provided the ACO (the same
  ``ACO_ID``) is in the program in every year between them for which a CMS file exists
  (years without any file, such as PY2019, PY2024 and PY2025 in the shipped files, do not
  interrupt); an ACO absent from a file between two observations breaks the link into two
  spans, each from an observation to an observation;
* **never after the last observation**: the files say nothing of later years, and ACOs do
  change operators (3 ACOs that the PY2023 roster hosts at one operator's domain show
  other hosts in PY2026).

So ``first_year`` and ``last_year`` are always years of observations, and a per-year
consumer keeps a link in year Y iff ``first_year <= Y <= last_year``.

Examples
--------
Observed in 2015 and 2018, in the program in every file year between (2016, 2017):

>>> spans({2015, 2018}, program={2015, 2016, 2017, 2018, 2020}, file_years={2015, 2016, 2017, 2018, 2020})
[(2015, 2018)]

Absent from the 2017 file: two spans. Years without a file (2019) do not interrupt:

>>> spans({2015, 2018, 2020}, program={2015, 2016, 2018, 2020}, file_years={2015, 2016, 2017, 2018, 2020})
[(2015, 2015), (2018, 2020)]
>>> spans({2023, 2026}, program={2023, 2026}, file_years={2023, 2026})
[(2023, 2026)]
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["spans"]


def spans(observed: Iterable[int], *, program: Iterable[int],
          file_years: Iterable[int]) -> list[tuple[int, int]]:
    """The validity spans ``[(first_year, last_year), ...]`` of a link (module docstring).

    `observed`: years of the observations; `program`: years in which the ACO is in a CMS
    file; `file_years`: years for which any CMS file was read.
    """
    years = sorted(set(observed))
    if not years:
        return []
    program, file_years = set(program), set(file_years)
    out = [[years[0], years[0]]]
    for year in years[1:]:
        gap = [y for y in file_years if out[-1][1] < y < year]
        if all(y in program for y in gap):
            out[-1][1] = year
        else:
            out.append([year, year])
    return [(a, b) for a, b in out]
