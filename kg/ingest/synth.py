"""Realistic synthetic datasets in aco-kg's own CSV format, for scale tests and benchmarks.

:func:`synthesize` writes one file per resource of the data dictionary (header-only where
the generator has nothing to say), so ``aco-kg build --data DIR`` builds the folder as
it builds the curated data: every row must load and the graph must conform to the shapes.
All randomness comes from one :class:`numpy.random.Generator` seeded with ``seed``: the
same seed and parameters give byte-identical files.

Parameters and where they come from
-----------------------------------
Fitted from the real CMS files shipped in ``data/cms`` (:func:`fit_cms`, computed from the
files every time, so a new file changes the fit and nothing is copied by hand):

* assigned beneficiaries per ACO: log-normal, mean and sd of ``log(N_AB)`` in the PY2023
  results (453 ACOs);
* benchmark per assigned beneficiary: log-normal, from ``ABtotBnchmk / N_AB`` (PY2023);
* savings rate: normal, mean and sd of ``Sav_rate`` (PY2023, percent);
* share of earned to generated savings when savings are earned, and of losses owed when
  losses are owed: medians of ``EarnSaveLoss / GenSaveLoss`` by sign (PY2023);
* track: shares of ``Current_Track`` (PY2023: BASIC A-E, ENHANCED); the risk model follows
  from the track (BASIC A and B one-sided, the others two-sided), which reproduces the
  file's share of ``Two-Sided`` in ``Risk_Model`` (kept in the fit to check it);
* clinicians per ACO: log-normal of ``N_PCP + N_Spec + N_NP + N_PA + N_CNS`` and the
  share of each kind (PY2023);
* participant organizations per ACO: log-normal of the count of ``participant_org`` per
  ``aco_id`` (PY2026 participants file, 511 ACOs, 15,370 rows);
* kind of participant: shares of names matching hospital / health-centre words (a name
  heuristic on the PY2026 file: hospital or health system, safety-net provider, else
  physician group);
* ACO start year and state: empirical shares of ``initial_start_date`` and of the first
  state of ``service_area`` (PY2026);
* partner portfolio sizes: the largest partner hosts the reporting sites of 63 of the 511
  ACOs in the PY2026 file (aledade.com, a host of the operator registry,
  ``data/operators/operator_signals.csv``), so it serves
  63 / 511 / 0.37 = 33% of partnered ACOs; the portfolios follow a Zipf law whose
  exponent is the least-squares slope of log count against log rank over every
  reporting-site host shared by two or more ACOs (a shared host is the sign of a shared
  manager); the number of partners is the fewest for which the largest holds no more
  than that 33%.

From the literature (regulator-measures notes, with the sources they cite):

* share of ACOs with a management partner 37%, and two-thirds of those share risk with
  it (Lewis et al. 2018, PMC5905409);
* services a partner provides: data and analytics 94%, administrative 84%, education
  68%, care coordination 66%, and half receive all four (Lewis et al. 2018); the
  generator gives all four to half of the partnered ACOs and draws each service for the
  other half with the probability that keeps the four marginal shares;
* partner's share of shared savings: beta distribution with mean 33% (Schulz et al.
  2015, AJMC: 33% of distributed savings went to infrastructure on average).
* clinicians leaving their practice: 7.6% a year (Bond et al. 2023, Ann Intern Med
  176(7):896-903, "Physician Turnover in the United States": the annual turnover of
  physicians billing traditional Medicare, those who stopped practising plus those who
  moved, 5.3% in 2010, 7.2% from 2014 and 7.6% in 2018, the latest full year); the
  generator applies it to every kind of clinician.

Assumptions (no public figure; documented so they can be replaced):

* board seats: uniform 7 to 15, simple majority; a partnered ACO's partner holds seats
  in half of the cases (the two Milbank cases: one with two seats, one with none), at
  most a quarter of the seats (42 CFR 425.106: participants control at least 75%);
* a veto reserved to the partner: in half of the partnered ACOs where it holds a seat
  (one of the two Milbank cases);
* performance years 2021-2023, beneficiaries drifting by a log-normal factor (sd 0.1)
  from year to year, savings rates drawn independently each year;
* a minimum savings/loss rate of 2% before savings are earned or losses owed.
* clinicians are observed until the end of 2025 (the year before the PY2026 participants
  file): each post at a participant is held from the ACO's start, and whoever leaves it
  is replaced the same day, so ``clinicians.csv`` lists those who left (with an ``end``)
  and their successors; the size counts the posts, i.e. the clinicians in post at the
  end, as CMS counts an ACO's clinicians for a performance year.

Named sizes (:data:`SIZES`): ``national`` (1,500 ACOs, 30,000 participant organizations,
no clinicians, about 1M triples) and ``clinician`` (the same plus 600,000 clinicians in
post at the end of 2025 and the 250,000 or so who held those posts before them and left,
about 10M triples). The totals are split over the ACOs in proportion to draws from the
fitted log-normals, so the sizes are the brief's while the skew is CMS's (the PY2023 file
counts 742,967 clinicians over 453 ACOs).

Examples
--------
>>> import tempfile
>>> out = synthesize(tempfile.mkdtemp(), acos=5, seed=1)
>>> out["organizations"] > 5, out["savings"] == 15
(True, True)
>>> fit = fit_cms()
>>> fit.acos_2023, fit.acos_2026, fit.partner_counts[0]
(453, 511, 63)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from kg.core.dictionary import load_dictionary
from kg.core.delimited import frame_rows, write_delimited
from kg.core.resources import data_dir

__all__ = ["CmsFit", "LITERATURE", "SIZES", "fit_cms", "organizations_size", "synthesize"]

CMS_DIR = data_dir() / "cms"
PARTNER_DOMAINS = data_dir() / "operators" / "operator_signals.csv"

#: Shares taken from the literature (see the module docstring for the sources).
LITERATURE = {
    "partnered_share": 0.37,
    "risk_sharing_share_of_partnered": 2 / 3,
    "services": {"data-analytics": 0.94, "administrative": 0.84, "education": 0.68,
                 "care-coordination-quality-improvement": 0.66},
    "all_four_services_share": 0.5,
    "partner_savings_share_mean_pct": 33.0,
    "clinician_turnover_annual": 0.076,
}
#: Assumptions where no public figure exists (see the module docstring).
ASSUMPTIONS = {
    "board_seats": (7, 15),
    "partner_seat_share_of_partnered": 0.5,
    "partner_veto_share_of_seated": 0.5,
    "years": (2021, 2022, 2023),
    "beneficiary_drift_sd": 0.1,
    "minimum_rate_pct": 2.0,
    "observed_until": 2025,
}
#: Named sizes: keyword arguments of :func:`synthesize`.
SIZES = {
    "national": {"acos": 1500, "participants": 30_000, "clinicians": 0},
    "clinician": {"acos": 1500, "participants": 30_000, "clinicians": 600_000},
}
_TRACKS = {"A": "BASIC A", "B": "BASIC B", "C": "BASIC C", "D": "BASIC D", "E": "BASIC E",
           "EN": "ENHANCED"}
ONE_SIDED_TRACKS = ("BASIC A", "BASIC B")
_CLINICIAN_COLUMNS = {"N_PCP": "primary-care-physician", "N_Spec": "specialist",
                      "N_NP": "nurse-practitioner", "N_PA": "physician-assistant",
                      "N_CNS": "clinical-nurse-specialist"}
_HOSPITAL = re.compile(r"HOSPITAL|MEDICAL CENTER|HEALTH SYSTEM|HEALTHCARE SYSTEM")
_SAFETY_NET = re.compile(r"COMMUNITY HEALTH|HEALTH CENTER|FQHC|RURAL HEALTH|CLINIC OF")


@dataclass(frozen=True)
class CmsFit:
    """Distribution parameters fitted from the CMS files (see :func:`fit_cms`)."""

    acos_2023: int
    acos_2026: int
    log_beneficiaries: tuple[float, float]
    log_benchmark_per_beneficiary: tuple[float, float]
    savings_rate_pct: tuple[float, float]
    earned_to_generated: float
    owed_to_generated: float
    two_sided_share: float
    tracks: dict[str, float]
    log_clinicians: tuple[float, float]
    clinician_types: dict[str, float]
    log_participants: tuple[float, float]
    participant_kinds: dict[str, float]
    start_years: dict[int, float]
    states: dict[str, float]
    partner_counts: tuple[int, ...]
    top_partner_share: float
    zipf_exponent: float


def _number(values: pd.Series) -> pd.Series:
    cleaned = values.astype(str).str.replace(r"[$,%\s]", "", regex=True)
    return pd.to_numeric(cleaned, errors="coerce")  # '*' suppressed, '-' n/a -> NaN, left out


def _log_normal(values: pd.Series) -> tuple[float, float]:
    logs = np.log(values[values > 0].astype(float))
    return round(float(logs.mean()), 4), round(float(logs.std(ddof=1)), 4)


def _shares(counts: pd.Series) -> dict:
    total = counts.sum()
    return {k: round(float(v / total), 4) for k, v in counts.sort_index().items()}


def _host(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", str(url).strip().lower()).split("/")[0]
    return ".".join(host.split(".")[-2:])


@lru_cache(maxsize=2)
def fit_cms(cms_dir: str | Path = CMS_DIR, partner_domains: str | Path = PARTNER_DOMAINS) -> CmsFit:
    """Fit the generator's CMS-based parameters from the real files.

    Parameters
    ----------
    cms_dir : str or Path
        Folder with ``mssp_results_2023.csv`` and ``mssp_participants_2026.csv``.
    partner_domains : str or Path
        The operator registry's signals (its ``website_host`` and
        ``participant_website_host`` values are the operators' reporting-site hosts).

    Returns
    -------
    CmsFit
        Rounded to 4 decimals, so the fit prints the same on every machine.
    """
    results = pd.read_csv(Path(cms_dir) / "mssp_results_2023.csv", dtype=str, encoding="utf-8-sig")
    beneficiaries = _number(results["N_AB"])
    benchmark = _number(results["ABtotBnchmk"])
    generated = _number(results["GenSaveLoss"])
    earned = _number(results["EarnSaveLoss"])
    rate = _number(results["Sav_rate"])
    earning = (earned > 0) & (generated > 0)
    owing = (earned < 0) & (generated < 0)
    clinicians = sum(_number(results[c]).fillna(0) for c in _CLINICIAN_COLUMNS)
    type_totals = pd.Series({code: _number(results[c]).sum() for c, code in _CLINICIAN_COLUMNS.items()})
    tracks = results["Current_Track"].map(_TRACKS).dropna().value_counts()

    participants = pd.read_csv(Path(cms_dir) / "mssp_participants_2026.csv", dtype=str,
                               encoding="utf-8-sig")
    per_aco = participants.groupby("aco_id").size()
    names = participants["participant_org"].fillna("").str.upper()
    kinds = np.where(names.str.contains(_HOSPITAL), "hospital-or-health-system",
                     np.where(names.str.contains(_SAFETY_NET), "safety-net-provider",
                              "physician-group"))
    acos = participants.drop_duplicates("aco_id")
    years = pd.to_numeric(acos["initial_start_date"].str[-4:], errors="coerce").dropna().astype(int)
    states = acos["service_area"].fillna("").str.extract(r"^([A-Z]{2})")[0].dropna()

    # portfolios: hosts of the public-reporting site shared by several ACOs (a shared
    # manager's sign); the exponent comes from every such host, the top partner's share
    # from the operator registry's hosts (aledade.com: 63 of 511 ACOs)
    signals = pd.read_csv(partner_domains, dtype=str)
    partner_hosts = set(signals.loc[signals["signal"].isin(["website_host", "participant_website_host"]),
                                    "value"].str.lower().map(_host))
    hosts = acos["public_website"].fillna("").map(_host)
    shared = hosts[hosts != ""].value_counts()
    shared = shared[shared >= 2].sort_values(ascending=False)
    ranks = np.arange(1, len(shared) + 1)
    slope = np.polyfit(np.log(ranks), np.log(shared.to_numpy(dtype=float)), 1)[0]
    partner_counts = hosts[hosts.isin(partner_hosts)].value_counts()
    counts = tuple(int(c) for c in sorted(partner_counts.tolist(), reverse=True))
    top_share_of_all = counts[0] / per_aco.size if counts else 0.0
    return CmsFit(
        acos_2023=len(results),
        acos_2026=int(per_aco.size),
        log_beneficiaries=_log_normal(beneficiaries),
        log_benchmark_per_beneficiary=_log_normal(benchmark / beneficiaries),
        savings_rate_pct=(round(float(rate.mean()), 4), round(float(rate.std(ddof=1)), 4)),
        earned_to_generated=round(float((earned[earning] / generated[earning]).median()), 4),
        owed_to_generated=round(float((earned[owing] / generated[owing]).median()), 4),
        two_sided_share=round(float((results["Risk_Model"] == "Two-Sided").mean()), 4),
        tracks=_shares(tracks),
        log_clinicians=_log_normal(clinicians),
        clinician_types=_shares(type_totals),
        log_participants=_log_normal(per_aco),
        participant_kinds=_shares(pd.Series(kinds).value_counts()),
        start_years=_shares(years.value_counts()),
        states=_shares(states.value_counts()),
        partner_counts=counts,
        top_partner_share=round(top_share_of_all / LITERATURE["partnered_share"], 4),
        zipf_exponent=round(float(-slope), 4),
    )


def _choice(rng: np.random.Generator, shares: dict, size: int) -> np.ndarray:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _portfolio_weights(fit: CmsFit, partners: int) -> np.ndarray:
    weights = np.arange(1, partners + 1, dtype=float) ** -fit.zipf_exponent
    return weights / weights.sum()


def _partner_count(fit: CmsFit, partnered: int) -> int:
    """Fewest partners whose Zipf portfolio gives the top partner no more than the fitted share."""
    for k in range(2, max(3, partnered) + 1):
        if _portfolio_weights(fit, k)[0] <= fit.top_partner_share:
            return k
    return max(2, partnered)


def _partnered(rng: np.random.Generator, n: int) -> np.ndarray:
    """The ACOs (positions) that have a management partner, at the literature's share."""
    return np.flatnonzero(rng.random(n) < LITERATURE["partnered_share"])


def _partners(fit: CmsFit, partnered: np.ndarray) -> int:
    """The number of partners for these partnered ACOs (none without any)."""
    return _partner_count(fit, len(partnered)) if len(partnered) else 0


def organizations_size(organizations: int) -> int:
    """The ACOs of a dataset of `organizations` organizations, in the national proportion.

    The national size has 20 participants per ACO (:data:`SIZES`); partners come on top of
    both and are few (seven from a few hundred organizations on).

    >>> organizations_size(1000), organizations_size(31_507)
    (48, 1500)
    """
    national = SIZES["national"]
    share = national["acos"] / (national["acos"] + national["participants"])
    return max(1, round(organizations * share))


def _money(values: np.ndarray) -> list[str]:
    return [f"{v:.2f}" for v in values]


class _Rows:
    """Columns of one resource, filled in order and written once."""

    def __init__(self, columns: list[str]):
        self.columns = columns
        self.data: dict[str, list] = {c: [] for c in columns}

    def add(self, **cells) -> None:
        for c in self.columns:
            self.data[c].append(cells.get(c, ""))

    def extend(self, n: int, **columns) -> None:
        """Add `n` rows at once; each value is a list of n cells or one cell for all."""
        for c in self.columns:
            value = columns.get(c, "")
            self.data[c].extend(value if isinstance(value, (list, np.ndarray)) else [value] * n)

    def __len__(self) -> int:
        return len(self.data[self.columns[0]])


def _spread(rng: np.random.Generator, log_normal: tuple[float, float], n: int,
            total: int | None) -> np.ndarray:
    """Counts per ACO: log-normal draws, or `total` split in proportion to such draws.

    Either way each ACO gets at least one; a given total keeps the fitted skew (a few
    very large ACOs, many small ones) while matching a named size.
    """
    draws = rng.lognormal(*log_normal, n)
    if total is None:
        return np.maximum(1, np.round(draws)).astype(int)
    if total < n:
        raise ValueError(f"a total of {total} cannot give each of {n} ACOs one")
    return 1 + rng.multinomial(total - n, draws / draws.sum())


def _clinicians(table: "_Rows", rng: np.random.Generator, fit: CmsFit, total: int,
                counts: np.ndarray, first_participant: np.ndarray, start_years: np.ndarray,
                par_ids: list[str], prov: dict) -> None:
    """Add the clinicians of `total` posts at the participants, held one after another.

    `total` is the head count at the end of the observed period, as CMS counts an ACO's
    clinicians for a performance year (the fitted log-normal of those counts splits it over
    the ACOs). Each post is held from the ACO's start (at a participant chosen unevenly),
    and clinicians leave at the literature's annual turnover: the departures of an ACO are
    a Poisson draw with mean posts x turnover x observed years, each on a random day at a
    random post, and whoever leaves is replaced the same day, so a post's rows follow each
    other without a gap and its last holder has no end.
    """
    turnover = LITERATURE["clinician_turnover_annual"]
    last_day = np.datetime64(f"{ASSUMPTIONS['observed_until']}-12-31")
    per_aco = _spread(rng, fit.log_clinicians, len(counts), total)
    practice, starts, ends = [], [], []
    for a, posts in enumerate(per_aco):
        posts = int(posts)
        first_day = np.datetime64(f"{start_years[a]}-01-01")
        days = int((last_day - first_day).astype(int)) + 1  # observed days (0: starts later)
        years = max(0.0, days / 365.25)
        leavers = int(rng.poisson(posts * turnover * years)) if days > 0 else 0
        n_rows = posts + leavers
        weights = rng.lognormal(0.0, 1.0, counts[a])
        post_org = first_participant[a] + rng.choice(counts[a], size=posts, p=weights / weights.sum())
        # the departures: each on a random day of the observed period, at a random post
        left_post = np.sort(rng.integers(0, posts, leavers))
        left_day = first_day + rng.integers(0, max(days, 1), leavers)
        order = np.lexsort((left_day, left_post))
        left_post, left_day = left_post[order], left_day[order]
        post_of_row = np.concatenate([np.arange(posts), left_post])
        # rows of one post in time order: the first holder, then each replacement
        row_order = np.lexsort((np.concatenate([np.full(posts, first_day), left_day]), post_of_row))
        post_sorted = post_of_row[row_order]
        start = np.concatenate([np.full(posts, first_day), left_day])[row_order]
        end = np.full(int(n_rows), np.datetime64("NaT"), dtype="datetime64[D]")
        same_post_next = np.flatnonzero(post_sorted[1:] == post_sorted[:-1])
        end[same_post_next] = start[same_post_next + 1]  # the successor starts that day
        practice.extend(post_org[post_sorted])
        starts.extend(str(d) for d in start)
        ends.extend("" if np.isnat(d) else str(d) for d in end)
    total_c = len(practice)
    kinds = _choice(rng, fit.clinician_types, total_c)
    par = np.array(par_ids, dtype=object)[np.array(practice, dtype=np.int64)]
    ids = [f"syn-clin-{i:07d}" for i in range(1, total_c + 1)]
    table.extend(total_c, clinician_id=ids, practice_org=list(par), clinician_type=list(kinds),
                 start=starts, end=ends, locator=[f"synthetic clinician of {p}" for p in par],
                 **prov)


#: The performance years an inferred operator link may start and end in (synthetic).
LINK_YEARS = (2021, 2026)


def _inferred_links(rows: dict, rng: np.random.Generator, acos: list[str], partners: list[str],
                    prov: dict) -> None:
    """The operator links that discovery would write for the partnered ACOs, each dated
    by a span of performance years, with every operator kind and review state in turn."""
    first_years = rng.integers(LINK_YEARS[0], LINK_YEARS[0] + 3, len(acos))
    order = {pid: i for i, pid in enumerate(sorted(set(partners)))}
    for j, (aco, pid) in enumerate(zip(acos, partners)):
        first = int(first_years[j])
        last = int(rng.integers(first, LINK_YEARS[1] + 1))
        _operator_link(rows, aco, pid, first, last, OPERATOR_KINDS[order[pid] % len(OPERATOR_KINDS)],
                       "confirmed" if j % 2 == 0 else "unreviewed", prov["source_id"], j)


#: The operator kinds, taken in turn by the synthetic operators.
OPERATOR_KINDS = ("management-company", "health-system", "insurer", "physician-group", "unknown")


def _operator_link(rows: dict, aco: str, pid: str, first: int, last: int, kind: str,
                   review: str, source: str, line: int) -> None:
    """One row of ``operator_links.csv``, as discovery writes it (inferred, with signals)."""
    host = f"{pid}.example"
    rows["operator_links"].add(
        link_id=f"{pid}-{aco}-{first}", aco_id=aco, operator_id=pid, operator_kind=kind,
        review=review, group_id=pid, signals=f"website_host={host}", first_year=str(first),
        last_year=str(last), source_id=source, evidence="inferred",
        locator=f"synthetic_roster_{first}.csv (PY{first}), line {line + 2}: website_host {host}")


def synthesize(out: str | Path, *, acos: int | None = None, seed: int = 0,
               participants: int | None = None, clinicians: int = 0, fit: CmsFit | None = None,
               organizations: int | None = None, operator_links: bool = False,
               dated_partners: bool = False) -> dict[str, int]:
    """Write a synthetic dataset of `acos` ACOs, or of `organizations` organizations, into `out`.

    Parameters
    ----------
    out : str or Path
        Folder to write (created; files of the dictionary are overwritten).
    acos : int
        Number of ACOs (at least 1); give it or `organizations`.
    seed : int
        Seed of the one random generator.
    participants : int, optional
        Total participant organizations (default: drawn per ACO from the fitted
        log-normal, about 34 per ACO on average).
    clinicians : int
        Clinicians in post at the end of the observed period (0: none), spread over the
        ACOs with the fitted log-normal of CMS's clinicians per ACO and over each ACO's
        participants; ``clinicians.csv`` also lists those who held the posts before
        them and left (with an ``end``).
    fit : CmsFit, optional
        Fitted parameters (default: :func:`fit_cms` on the shipped files).
    organizations : int, optional
        Instead of `acos` and `participants`: the number of organizations (ACOs,
        participants and partners together, exactly), as many ACOs to participants as the
        national size has (:func:`organizations_size`). A graph of a given number of nodes,
        as the map benchmark and the map tests draw.
    operator_links : bool
        Also write what operator discovery (``aco-kg discover``) writes for a partner found
        in CMS files: for each partnered ACO, a row of ``operator_links.csv`` dated by a span
        of performance years from 2021 to 2026 (so that a link is valid in some years and
        not in others), the operator's kind and the review state taken in turn so that every
        value occurs; and a second state in the service area of a
        quarter of the ACOs (an ACO that serves several state markets). Drawn from a
        generator of its own (seeded from `seed`), so the other files are the same with
        or without it, but for those service areas.
    dated_partners : bool
        Also write each ACO - partner alliance as an operator link (``operator_links.csv``,
        as operator discovery writes them): evidence ``inferred``, dated from the ACO's
        start (at the earliest 2013) to a year drawn up to 2026. The years come from a generator of their own, so the rest of the
        data is the same with or without them.

    Returns
    -------
    dict of str to int
        Rows written per resource.

    Raises
    ------
    ValueError
        For no `acos` or `organizations` (or both), or too few organizations for the ACOs
        (each has a participant) and their partners.

    Examples
    --------
    >>> import tempfile
    >>> synthesize(tempfile.mkdtemp(), organizations=400, seed=3)["organizations"]
    400
    """
    if (acos is None) == (organizations is None):
        raise ValueError("give acos or organizations, not both")
    if organizations is not None:
        if participants is not None:
            raise ValueError("organizations sets the participants: give one or the other")
        acos = organizations_size(organizations)
    if acos < 1:
        raise ValueError("acos must be at least 1")
    fit = fit or fit_cms()
    rng = np.random.default_rng(seed)
    dictionary = load_dictionary()
    rows = {r.name: _Rows(r.columns) for r in dictionary.resources}
    source = "synth"
    prov = {"source_id": source, "evidence": "reported"}
    made_by = (f"aco-kg synth --acos {acos} --seed {seed}" if organizations is None else
               f"kg.ingest.synth.synthesize(organizations={organizations}, seed={seed})")
    rows["sources"].add(source_id=source, title=f"aco-kg synthetic dataset ({acos} ACOs, seed {seed})",
                        authors="aco-kg synth", citation=f"{made_by}: "
                        "synthetic data with parameters fitted to CMS MSSP files (not real facts)",
                        source_kind="data-file")
    n = acos
    aco_ids = [f"syn-aco-{i:05d}" for i in range(1, n + 1)]
    states = _choice(rng, fit.states, n)
    start_years = _choice(rng, fit.start_years, n).astype(int)
    tracks = _choice(rng, fit.tracks, n)
    two_sided = ~np.isin(tracks, ONE_SIDED_TRACKS)  # the program's rules: A and B are one-sided
    beneficiaries = np.maximum(1000, np.round(rng.lognormal(*fit.log_beneficiaries, n))).astype(int)
    rows["organizations"].extend(
        n, org_id=aco_ids, name=[f"Synthetic ACO {i:05d}" for i in range(1, n + 1)], kind="aco",
        state=list(states), locator=[f"synthetic ACO {a}" for a in aco_ids], **prov)
    rows["identifiers"].extend(
        n, identifier_id=[f"syn-id-{a}" for a in aco_ids], org_id=aco_ids, scheme="cms-aco-id",
        value=[f"S{i:05d}" for i in range(1, n + 1)], locator=[f"synthetic ACO {a}" for a in aco_ids],
        **prov)
    contracts = [f"syn-mssp-{a}" for a in aco_ids]
    rows["payer_contracts"].extend(
        n, contract_id=contracts, aco_id=aco_ids, program="medicare-mssp", track=list(tracks),
        risk_model=["two-sided" if t else "one-sided" for t in two_sided],
        attributed_patients=[str(b) for b in beneficiaries],
        start=[f"{y}-01-01" for y in start_years], locator=[f"synthetic ACO {a}" for a in aco_ids],
        **prov)

    # service areas: one state, or two for a quarter of the ACOs with operator links
    areas = list(states)
    extra = np.random.default_rng([seed, 14]) if operator_links else None
    if extra is not None:
        second = _choice(extra, fit.states, n)
        two = (extra.random(n) < 0.25) & (second != states)
        areas = [", ".join(sorted({a, b})) if t else a for a, b, t in zip(states, second, two)]
    # savings per performance year
    per_capita = rng.lognormal(*fit.log_benchmark_per_beneficiary, n)
    for year in ASSUMPTIONS["years"]:
        drift = rng.lognormal(0.0, ASSUMPTIONS["beneficiary_drift_sd"], n)
        ab = np.maximum(1000, np.round(beneficiaries * drift)).astype(int)
        bench = np.round(ab * per_capita, 2)
        rate = np.clip(rng.normal(*fit.savings_rate_pct, n), -40, 40)
        spent = np.round(bench * (1 - rate / 100), 2)
        generated = np.round(bench - spent, 2)
        rate_pct = np.round(100 * generated / bench, 2)
        minimum = ASSUMPTIONS["minimum_rate_pct"]
        earned = np.where(rate_pct >= minimum, generated * fit.earned_to_generated,
                          np.where(two_sided & (rate_pct <= -minimum),
                                   generated * fit.owed_to_generated, 0.0))
        rows["savings"].extend(
            n, result_id=[f"syn-result-{a}-{year}" for a in aco_ids], contract_id=contracts,
            performance_year=str(year), assigned_beneficiaries=[str(x) for x in ab],
            generated_savings_usd=_money(generated), earned_savings_usd=_money(np.round(earned, 2)),
            benchmark_usd=_money(bench), expenditure_usd=_money(spent),
            savings_rate_pct=[f"{r:.2f}" for r in rate_pct], track=list(tracks),
            risk_model=["two-sided" if t else "one-sided" for t in two_sided],
            service_area=areas, locator=[f"synthetic ACO {a}, PY{year}" for a in aco_ids],
            **prov)

    # participants, each in one ACO (a TIN billing primary care can be in one MSSP ACO)
    partnered = None
    if organizations is not None:
        # drawn before the participants here (after them otherwise, so that the named
        # sizes stay as they were): the number of partners fixes the participants'
        partnered = _partnered(rng, n)
        participants = organizations - n - _partners(fit, partnered)
        if participants < n:
            raise ValueError(f"{organizations} organizations cannot hold {n} ACOs, a "
                             f"participant for each and {_partners(fit, partnered)} partners")
    counts = _spread(rng, fit.log_participants, n, participants)
    total = int(counts.sum())
    par_ids = [f"syn-par-{i:07d}" for i in range(1, total + 1)]
    owner = np.repeat(np.arange(n), counts)
    kinds = _choice(rng, fit.participant_kinds, total)
    rows["organizations"].extend(
        total, org_id=par_ids, name=[f"Synthetic Practice {i:07d}" for i in range(1, total + 1)],
        kind=list(kinds), state=list(states[owner]),
        locator=[f"synthetic participant of {aco_ids[o]}" for o in owner], **prov)
    rows["aco_participants"].extend(
        total, participation_id=[f"syn-part-{i:07d}" for i in range(1, total + 1)],
        aco_id=[aco_ids[o] for o in owner], org_id=par_ids,
        start=[f"{start_years[o]}-01-01" for o in owner],
        locator=[f"synthetic participant of {aco_ids[o]}" for o in owner], **prov)
    first_participant = np.concatenate([[0], np.cumsum(counts)[:-1]])

    # partners and alliances
    if partnered is None:
        partnered = _partnered(rng, n)
    k = _partners(fit, partnered)
    partner_ids = [f"syn-partner-{i:03d}" for i in range(1, k + 1)]
    if k:
        for i, pid in enumerate(partner_ids):
            rows["organizations"].add(
                org_id=pid, name=f"Synthetic Partner {i + 1:03d}", kind="management-partner",
                profit_status="for-profit" if rng.random() < 0.8 else "nonprofit",
                geographic_scope="national" if i < max(1, k // 4) else "regional",
                locator=f"synthetic partner {pid}", **prov)
        partner_of = rng.choice(k, size=len(partnered), p=_portfolio_weights(fit, k))
    years_rng = np.random.default_rng([seed, 14])  # only for dated_partners
    seats_total = rng.integers(ASSUMPTIONS["board_seats"][0], ASSUMPTIONS["board_seats"][1] + 1, n)
    partner_seats = np.zeros(n, dtype=int)
    veto = np.zeros(n, dtype=bool)
    for j, a in enumerate(partnered):
        aco, pid = aco_ids[a], partner_ids[partner_of[j]]
        alliance = f"syn-alliance-{aco}"
        where = f"synthetic alliance {alliance}"
        rows["alliances"].add(alliance_id=alliance, name=f"{aco} - {pid}",
                              alliance_kind="aco-management-partner", locator=where, **prov)
        if dated_partners:
            first = max(2013, int(start_years[a]))
            _operator_link(rows, aco, pid, first, int(years_rng.integers(first, 2027)),
                           "management-company", "unreviewed", source, j)
        start = f"{start_years[a]}-01-01"
        rows["alliance_members"].add(membership_id=f"{alliance}-aco", alliance_id=alliance,
                                     org_id=aco, role="aco", start=start, locator=where, **prov)
        rows["alliance_members"].add(membership_id=f"{alliance}-partner", alliance_id=alliance,
                                     org_id=pid, role="management-partner", start=start,
                                     locator=where, **prov)
        if rng.random() < LITERATURE["all_four_services_share"]:
            services = list(LITERATURE["services"])
        else:  # keeps each service's marginal share: p = 0.5 + 0.5 * p_rest
            services = [s for s, p in LITERATURE["services"].items()
                        if rng.random() < (p - 0.5) / 0.5]
        if rng.random() < LITERATURE["risk_sharing_share_of_partnered"]:
            services.append("risk-bearing")
        for s in services:
            rows["services"].add(service_id=f"{alliance}-{s}", alliance_id=alliance,
                                 provider_org=pid, recipient_org=aco, service_type=s,
                                 promised="yes", start=start, locator=where, **prov)
        share = rng.beta(3.3, 6.7) * 100
        rows["savings_shares"].add(share_id=f"{alliance}-share", contract_id=contracts[a],
                                   recipient_org=pid, share_exact_pct=f"{share:.1f}",
                                   locator=where, **prov)
        if rng.random() < ASSUMPTIONS["partner_seat_share_of_partnered"]:
            partner_seats[a] = max(1, int(rng.integers(1, seats_total[a] // 4 + 1)))
            veto[a] = rng.random() < ASSUMPTIONS["partner_veto_share_of_seated"]

    if extra is not None:
        _inferred_links(rows, extra, [aco_ids[a] for a in partnered],
                        [partner_ids[p] for p in partner_of[:len(partnered)]] if k else [], prov)

    # boards: participants hold at least 75% of the seats (42 CFR 425.106)
    for a, aco in enumerate(aco_ids):
        board = f"syn-board-{aco}"
        where = f"synthetic board of {aco}"
        seats = int(seats_total[a])
        rows["boards"].add(board_id=board, aco_id=aco, name=f"Board of {aco}",
                           decision_rule="simple-majority", quota_votes=str(seats // 2 + 1),
                           total_seats=str(seats), equal_votes="yes", locator=where, **prov)
        holders = [par_ids[first_participant[a] + (s % counts[a])]
                   for s in range(seats - partner_seats[a])]
        if partner_seats[a]:
            pid = partner_ids[partner_of[np.searchsorted(partnered, a)]]
            holders += [pid] * int(partner_seats[a])
            if veto[a]:
                rows["reserved_powers"].add(power_id=f"{board}-veto", board_id=board, holder_org=pid,
                                            power_kind="veto", matter="all-board-decisions",
                                            basis="contract", locator=where, **prov)
        rows["board_seats"].extend(
            seats, seat_id=[f"{board}-seat-{s + 1:02d}" for s in range(seats)], board_id=board,
            holder_org=holders, voting="yes", votes="1", start=f"{start_years[a]}-01-01",
            locator=where, **prov)

    if clinicians:
        _clinicians(rows["clinicians"], rng, fit, clinicians, counts, first_participant,
                    start_years, par_ids, prov)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for r in dictionary.resources:
        frame = pd.DataFrame(rows[r.name].data, columns=r.columns, dtype=str)
        write_delimited(out / r.path, frame_rows(frame))
        written[r.name] = len(frame)
    return written
