"""Import a CMS Medicare Shared Savings Program (MSSP) results file, any year 2013-2023+.

One input row (one ACO in one performance year) becomes, in aco-kg's CSV format:

* an ACO in ``organizations.csv`` (``cms-aco-A1001``; its name from the last file imported),
* its CMS identifiers in ``identifiers.csv`` (``ACO_ID``; for 2013-2017 the public-use
  ``ACO_NUM``, linked to the ``ACO_ID`` by CMS's crosswalk),
* its MSSP contract in ``payer_contracts.csv`` (``mssp-A1001``),
* the year's result in ``savings.csv``: assigned beneficiaries, benchmark, expenditure,
  savings rate, total savings or losses generated, shared savings earned (negative:
  losses owed), track, risk model and service area (states).

Column names drift across years: :data:`ALIASES` lists, per quantity, every name a
layout uses (a table, not a chain of ifs). Units drift too, even between columns of one
file, so each rate column's unit (fraction or percent number) is decided from the data:
the savings rate against benchmark and expenditure, the final sharing rate against
earned / generated savings, the minimum savings rate by its range (the program sets it
between 2% and about 12%). ``*`` (suppressed) and ``-`` (not applicable) stay unknown.

The PY2013 file has a layout defect (see :data:`LAYOUT_2013` and
:func:`correct_2013_header`); it is recognised by its exact header and re-labelled.
Plausibility checks (:func:`implausible`) reject any row whose figures do not add up,
which is what reading the 2013 file with its own header would produce.

Examples
--------
>>> scale, _ = rate_scale([7.1, 1.4, -3.6], [0.071, 0.014, -0.036])
>>> scale
100.0
>>> implausible(benchmark=100000.0, expenditure=90000.0, generated=10000.0, earned=5000.0,
...             beneficiaries=10, savings_rate=0.1)
[]
>>> implausible(benchmark=613.0, expenditure=None, generated=573.0, earned=39.0,
...             beneficiaries=None, savings_rate=None)  # doctest: +ELLIPSIS
['GenSaveLoss: total savings 573 exceed half the benchmark 613 ...']
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from kg.ingest.cms.cells import number, plain_decimal, states, us_date
from kg.ingest.cms.crosswalk import ACO_ID, ACO_NUM, CROSSWALK_TITLE, Crosswalk
from kg.ingest.cms.folder import ImportFolder, open_import, reject_file, year_of
from kg.ingest.cms.ledger import ImportReport
from kg.ingest.cms.source_file import checked_records, differences, locate_columns
from kg.ingest.cms.sources import source_id_for

__all__ = ["ALIASES", "REQUIRED", "LAYOUT_2013", "SOURCE_TITLE", "correct_2013_header",
           "rate_scale", "implausible", "import_mssp_results"]

#: The title of the source row generated for a results file that no curated row describes.
SOURCE_TITLE = "Medicare Shared Savings Program ACO results, performance year {year}"

#: Quantity -> every column name a CMS results layout uses for it (first match wins).
ALIASES: dict[str, tuple[str, ...]] = {
    "aco_id": ("ACO_ID",),
    "aco_num": ("ACO_Num", "ACO_NUM", "ACO Identifier"),
    "name": ("ACO_Name", "ACO_NAME", "ACO Name"),
    "state": ("ACO_State",),
    "beneficiaries": ("N_AB", "Total number of assigned beneficiaries"),
    "savings_rate": ("Sav_rate", "Sav_Rate"),
    "min_savings_rate": ("MinSavPerc", "Minimum Savings Rate (%)"),
    "final_share_rate": ("FinalShareRate", "Final sharing rate"),
    "generated": ("GenSaveLoss", "Total savings/losses ($)"),
    "earned": ("EarnSaveLoss",),
    "shared_savings": ("Shared Savings ($)",),
    "shared_losses": ("Shared Losses ($)",),
    "benchmark": ("ABtotBnchmk", "Total benchmark expenditures ($)"),
    "expenditure": ("ABtotExp", "Total expenditures ($)"),
    "track": ("Current_Track",),
    "risk_model": ("Risk_Model",),
    "initial_start": ("Initial_Start_Date", "Start_Date", "Start Date"),
    "year": ("year",),
}
#: Quantities a results file must have (one of the identifier pair; earned or 2013's pair).
REQUIRED = ("name", "beneficiaries", "generated", "benchmark", "expenditure")

#: Track flag columns (value 1 = the ACO is in that track) and the track they name.
TRACK_FLAGS: dict[str, str] = {
    "Track1": "Track 1", "Track2": "Track 2",
    "Current_Track_1": "Track 1", "Current_Track_2": "Track 2", "Current_Track_3": "Track 3",
    "Current_Track_1_Plus": "Track 1+", "Current_BASIC_A": "BASIC A",
    "Current_BASIC_B": "BASIC B", "Current_BASIC_C": "BASIC C", "Current_BASIC_D": "BASIC D",
    "Current_BASIC_E": "BASIC E", "Current_ENHANCED": "ENHANCED",
}
#: Codes of ``Current_Track`` (PY2022 on).
TRACK_CODES = {"A": "BASIC A", "B": "BASIC B", "C": "BASIC C", "D": "BASIC D", "E": "BASIC E",
               "EN": "ENHANCED"}
#: Program rules: which tracks share losses (used when a file has no Risk_Model column).
TRACK_RISK = {"Track 1": "one-sided", "Track 2": "two-sided", "Track 3": "two-sided",
              "Track 1+": "two-sided", "BASIC A": "one-sided", "BASIC B": "one-sided",
              "BASIC C": "two-sided", "BASIC D": "two-sided", "BASIC E": "two-sided",
              "ENHANCED": "two-sided"}
RISK_MODELS = {"one-sided": "one-sided", "two-sided": "two-sided"}

#: The exact first 36 header cells of the PY2013 file as CMS published it (defective).
LAYOUT_2013 = (
    "ACO Identifier", "ACO Name", "Start Date", "Track 2 ACO", "Advance pay status",
    "Interim payment election", "Advanced payment amount", "Quality Score",
    "Quality Performance Sharing Rate", "Final sharing rate", "Minimum Loss Rate (%)",
    "Minimum Savings Rate (%)", "Total benchmark expenditures ($)", "Total savings/losses ($)",
    "Shared Savings ($)", "Shared Losses ($)", "Total number of assigned beneficiaries",
    "Total assigned beneficiary person years",
    "Total number of ESRD assigned beneficiary person years",
    "Total number of DISABLED  assigned beneficiary person years",
    "Total number of AGED/DUAL assigned beneficiary person years",
    "Total number of AGED/NON-DUAL assigned beneficiary person years",
    "Total number of assigned beneficiaries, age 0-64",
    "Total number of assigned beneficiaries, age 65-74",
    "Total number of assigned beneficiaries, age 75-84",
    "Total number of assigned beneficiaries, age 85+",
    "Total number of assigned beneficiaries, Female",
    "Total number of assigned beneficiaries, Male",
    "Total number of assigned beneficiaries, Non-Hispanic White",
    "Total number of assigned beneficiaries, Black",
    "Total number of assigned beneficiaries, Asian",
    "Total number of assigned beneficiaries, Hispanic",
    "Total number of assigned beneficiaries, North American Native",
    "Total number of assigned beneficiaries, Other",
    "Total performance year spending per assigned beneficiary",
    "Total expenditures per assigned ESRD beneficiary",
)


def correct_2013_header(header: list[str]) -> list[str] | None:
    """Return the corrected PY2013 header, or None if `header` is not that exact layout.

    In CMS's PY2013 file, from the 14th column to the 34th each value sits one column
    to the right of its header: the header lacks ``Total expenditures ($)`` after the
    benchmark, and the data lack ``Total performance year spending per assigned
    beneficiary``. Inserting the one and dropping the other puts every value under its
    own header (checked by arithmetic: benchmark - expenditure = shared savings column).

    >>> fixed = correct_2013_header(list(LAYOUT_2013) + ["x"] * 61)
    >>> fixed[12:16]
    ['Total benchmark expenditures ($)', 'Total expenditures ($)', 'Total savings/losses ($)', 'Shared Savings ($)']
    >>> len(fixed), correct_2013_header(["ACO_ID"]) is None
    (97, True)
    """
    if tuple(header[:len(LAYOUT_2013)]) != LAYOUT_2013 or len(header) != 97:
        return None
    return header[:13] + ["Total expenditures ($)"] + header[13:34] + header[35:]


def rate_scale(values: list[float], reference: list[float]) -> tuple[float, float]:
    """Decide whether a rate column holds fractions (scale 1) or percent numbers (100).

    Parameters
    ----------
    values : list of float
        The column's numbers (a trailing ``%`` already dropped).
    reference : list of float
        The same rate computed from money columns, as a fraction, row by row.

    Returns
    -------
    scale : float
        1.0 or 100.0, whichever makes the column agree with `reference` best.
    error : float
        The median absolute difference (as a fraction) at that scale.
    """
    best = None
    for scale in (1.0, 100.0):
        errors = [abs(v / scale - r) for v, r in zip(values, reference)]
        err = statistics.median(errors) if errors else 0.0
        if best is None or err < best[1]:
            best = (scale, err)
    return best


def implausible(*, benchmark, expenditure, generated, earned, beneficiaries,
                savings_rate) -> list[str]:
    """Return why a row's figures do not add up (empty when they do).

    Checks: the benchmark is positive; savings (benchmark - expenditure and the
    generated total) are within half the benchmark; a non-zero generated total equals
    benchmark - expenditure (it is 0 inside the minimum savings/loss corridor); shared
    savings are not above total savings and have its sign; the benchmark per assigned
    beneficiary lies between $1,000 and $200,000; the savings rate (a fraction) equals
    (benchmark - expenditure) / benchmark within 0.1 percentage point.
    """
    why = []
    if benchmark is not None and benchmark <= 0:
        return [f"ABtotBnchmk: benchmark {benchmark:g} is not positive"]
    if benchmark and expenditure is not None and abs(benchmark - expenditure) > 0.5 * benchmark:
        why.append(f"ABtotExp: benchmark {benchmark:g} - expenditure {expenditure:g} exceeds half "
                   "the benchmark (implausible savings)")
    if benchmark and generated is not None and abs(generated) > 0.5 * benchmark:
        why.append(f"GenSaveLoss: total savings {generated:g} exceed half the benchmark "
                   f"{benchmark:g} (implausible; a shifted column?)")
    if (generated and benchmark is not None and expenditure is not None
            and abs(generated - (benchmark - expenditure)) > max(2.0, 0.001 * abs(generated))):
        why.append(f"GenSaveLoss: total savings {generated:g} differ from benchmark - expenditure "
                   f"{benchmark - expenditure:g}")
    if generated is not None and earned is not None:
        if generated >= 0 and earned > generated + 1:
            why.append(f"EarnSaveLoss: shared savings {earned:g} exceed total savings {generated:g}")
        if generated > 0 and earned < 0 or generated < 0 and earned > 0:
            why.append(f"EarnSaveLoss: shared savings {earned:g} have the opposite sign of total "
                       f"savings {generated:g}")
    if benchmark and beneficiaries:
        per_head = benchmark / beneficiaries
        if not 1_000 <= per_head <= 200_000:
            why.append(f"N_AB: benchmark per assigned beneficiary {per_head:,.0f} USD is implausible")
    if benchmark and expenditure is not None and savings_rate is not None:
        expected = (benchmark - expenditure) / benchmark
        if abs(savings_rate - expected) > 0.001:
            why.append(f"Sav_rate: savings rate {100 * savings_rate:.3f}% differs from "
                       f"(benchmark - expenditure) / benchmark = {100 * expected:.3f}%")
    return why


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    where = locate_columns(header, ALIASES)
    used = {header[i] for i in where.values()}
    used |= {h for h in header if h in TRACK_FLAGS or h == "Track 2 ACO"}
    return where, [h for h in header if h not in used]


def _track(record: list[str], header: list[str], where: dict[str, int]) -> str | None:
    if "track" in where:
        code = record[where["track"]].strip()
        return TRACK_CODES.get(code, code or None)
    on = [TRACK_FLAGS[h] for h, v in zip(header, record) if h in TRACK_FLAGS and v.strip() == "1"]
    if len(on) == 1:
        return on[0]
    if "Track 2 ACO" in header:  # PY2013: one flag; every other ACO was in Track 1
        flag = record[header.index("Track 2 ACO")].strip()
        return {"1": "Track 2", "0": "Track 1"}.get(flag)
    return None


def import_mssp_results(path: str | Path, out: ImportFolder, *, year: int | None = None,
                        crosswalk: Crosswalk | None = None, source_id: str | None = None,
                        correct_2013: bool = True) -> ImportReport:
    """Import one MSSP results file into `out` (call ``out.write()`` afterwards).

    Parameters
    ----------
    path : str or Path
        The CMS results file.
    out : ImportFolder
        Where the rows go.
    year : int, optional
        The performance year; by default the file's ``year`` column, else the four
        digits in its name.
    crosswalk : Crosswalk, optional
        Links 2013-2017 ``ACO_NUM`` to ``ACO_ID``; without it those ACOs are keyed by
        ``ACO_NUM`` and cannot be followed into 2018 and later.
    source_id : str, optional
        The row of sources.csv describing the file (default
        :func:`~kg.ingest.cms.sources.source_id_for`); a curated row, or one generated
        into `out` (see :meth:`ImportFolder.cite`).
    correct_2013 : bool
        Re-label the defective PY2013 layout (default True; False is for tests).

    Returns
    -------
    ImportReport
        Whose ledger accounts for every row; ``report.ok`` is False when any row (or the
        file) was rejected, and then none of its rows may be written.

    Raises
    ------
    UsageError
        If the year cannot be told.
    """
    path = Path(path)
    name = path.name
    report, source = open_import(path, "cms-mssp", out)
    if source is None:
        return report
    header, records = source.header, source.records
    if correct_2013:
        fixed = correct_2013_header(header)
        if fixed is not None:
            header = source.header = fixed
            report.notes.append(
                "recognised the PY2013 layout defect by its exact header: values of columns "
                "14-34 sit one column right of their headers; re-labelled by inserting "
                "'Total expenditures ($)' after the benchmark and dropping 'Total performance "
                "year spending per assigned beneficiary' (which has no data)")
    where, unknown = _columns(header)
    if unknown:
        report.notes.append(f"ignored {len(unknown)} columns this importer does not use: "
                            + ", ".join(unknown))
    missing = [q for q in REQUIRED if q not in where]
    if "aco_id" not in where and "aco_num" not in where:
        missing.insert(0, "aco_id")
    if "earned" not in where and "shared_savings" not in where:
        missing.append("earned")
    if missing:
        columns = "; ".join(f"{q} (one of: {', '.join(ALIASES[q])})" for q in missing)
        reject_file(report, source, f"required column missing: {columns}")
        return report
    for optional in ("state", "savings_rate", "track", "risk_model", "initial_start"):
        if optional not in where and not (optional == "track" and any(h in TRACK_FLAGS or h == "Track 2 ACO" for h in header)):
            report.notes.append(f"no {optional} column ({' / '.join(ALIASES[optional])}): left unknown")

    if year is None and "year" in where and records:
        years = {r[where["year"]].strip() for _, r in records if len(r) == len(header)}
        if len(years) == 1 and re.fullmatch(r"\d{4}", next(iter(years))):
            year = int(next(iter(years)))
    report.year = year_of(path, year)
    year = report.year
    why = out.cite(report, SOURCE_TITLE.format(year=year), source_id)
    links = crosswalk is not None and "aco_num" in where and any(
        crosswalk.aco_id(r[where["aco_num"]].strip()) for _, r in records if len(r) == len(header))
    if why is None and links:
        why = out.cite(report, CROSSWALK_TITLE, file=crosswalk.file, sha256=crosswalk.sha256)
    if why:
        reject_file(report, source, why)
        return report
    source_ref = report.source_id = source_id or source_id_for(path)
    crosswalk_ref = source_id_for(crosswalk.file) if crosswalk is not None else None

    def cell(record, quantity):
        return record[where[quantity]] if quantity in where else ""

    flags = {i for i, h in enumerate(header) if h in TRACK_FLAGS or h == "Track 2 ACO"}
    # pass 1: parse every row, collecting what the unit decisions need
    parsed = []
    for line, record in checked_records(source, report, read=set(where.values()) | flags,
                                        complete={i: ("0", "1") for i in flags}):
        values, bad = {}, None
        for quantity in ("beneficiaries", "savings_rate", "min_savings_rate", "final_share_rate",
                         "generated", "earned", "shared_savings", "shared_losses", "benchmark",
                         "expenditure"):
            try:
                values[quantity] = number(cell(record, quantity))
            except ValueError as exc:
                bad = (header[where[quantity]], str(exc))
                break
        if bad is None:
            try:
                values["state"] = states(cell(record, "state"))
            except ValueError as exc:
                bad = (header[where["state"]], str(exc))
        if bad is None:
            try:
                values["initial_start"] = us_date(cell(record, "initial_start"))
            except ValueError as exc:
                bad = (header[where["initial_start"]], str(exc))
        if bad:
            report.ledger.rejected(str(path), line, bad[0], bad[1])
            continue
        parsed.append((line, record, values))

    # unit of each rate column, decided from the data
    scales = {}
    pairs = [(v["savings_rate"], (v["benchmark"] - v["expenditure"]) / v["benchmark"])
             for _, _, v in parsed if v["savings_rate"] is not None and v["benchmark"]
             and v["expenditure"] is not None]
    if pairs:
        scale, err = rate_scale(*map(list, zip(*pairs)))
        scales["savings_rate"] = scale
        report.notes.append(f"{header[where['savings_rate']]}: "
                            f"{'percent numbers' if scale == 100 else 'fractions'} (median "
                            f"difference from (benchmark - expenditure) / benchmark: {err:.2e})")
    pairs = [(v["final_share_rate"], v["earned"] / v["generated"]) for _, _, v in parsed
             if v["final_share_rate"] is not None and v.get("earned") and v["generated"]
             and v["generated"] > 0]
    if pairs:
        scale, err = rate_scale(*map(list, zip(*pairs)))
        scales["final_share_rate"] = scale
        report.notes.append(f"{header[where['final_share_rate']]}: "
                            f"{'percent numbers' if scale == 100 else 'fractions'} (checked "
                            f"against earned / generated savings, median difference {err:.3f})")
    msr = [v["min_savings_rate"] for _, _, v in parsed if v["min_savings_rate"] is not None]
    if msr:
        scale = 100.0 if statistics.median(msr) > 0.5 else 1.0
        report.notes.append(f"{header[where['min_savings_rate']]}: "
                            f"{'percent numbers' if scale == 100 else 'fractions'} (by range: the "
                            "program sets minimum savings rates of 2% to about 12%; a '%' sign is "
                            "not trusted, PY2013 writes 0.0234% for 2.34%)")

    seen: dict[str, tuple[int, list[str]]] = {}
    names_differ = []
    linked = unlinked = 0
    for line, record, v in parsed:
        aco_id = cell(record, "aco_id").strip()
        aco_num = cell(record, "aco_num").strip()
        if aco_id and not ACO_ID.fullmatch(aco_id):
            report.ledger.rejected(str(path), line, header[where["aco_id"]],
                                   f"{aco_id!r} is not a CMS ACO_ID (A + 4 digits)")
            continue
        if not aco_id and not ACO_NUM.fullmatch(aco_num):
            column = header[where["aco_num"]] if "aco_num" in where else "ACO_ID"
            report.ledger.rejected(str(path), line, column,
                                   f"{aco_num!r} is not a public-use ACO number (A + 5 digits)")
            continue
        via_crosswalk = False
        if not aco_id and crosswalk is not None and crosswalk.aco_id(aco_num):
            aco_id, via_crosswalk = crosswalk.aco_id(aco_num), True
            linked += 1
        elif not aco_id:
            unlinked += 1
        key = aco_id or aco_num
        if key in seen:
            first, earlier = seen[key]
            report.ledger.rejected(str(path), line, "ACO_ID", f"ACO {key} appears twice "
                                   f"(first on line {first}); {differences(header, earlier, record)}")
            continue
        aco_name = cell(record, "name").strip()
        if not aco_name:
            report.ledger.rejected(str(path), line, header[where["name"]], "ACO name is blank")
            continue
        earned = v["earned"]
        if "earned" not in where and (v["shared_savings"] is not None or v["shared_losses"] is not None):
            # PY2013: savings earned and losses owed in two columns (losses written negative)
            earned = (v["shared_savings"] or 0.0) - abs(v["shared_losses"] or 0.0)
        rate = v["savings_rate"] / scales["savings_rate"] if v["savings_rate"] is not None else None
        why = implausible(benchmark=v["benchmark"], expenditure=v["expenditure"],
                          generated=v["generated"], earned=earned,
                          beneficiaries=v["beneficiaries"], savings_rate=rate)
        if v["beneficiaries"] is not None and (v["beneficiaries"] < 0
                                               or v["beneficiaries"] != int(v["beneficiaries"])):
            why.append(f"N_AB: {v['beneficiaries']:g} is not a count")
        if why:
            report.ledger.rejected(str(path), line, why[0].split(":")[0], "; ".join(why))
            continue
        seen[key] = (line, record)
        result = f"mssp-{key}-{year}"
        held = out.claim(report, line, result)
        if held is not None:
            report.ledger.rejected(str(path), line, "ACO_ID",
                                   f"ACO {key} PY{year} was imported from {held} already: the same "
                                   "ACO and year in two files (two revisions of one year's file?) "
                                   "is refused, not overwritten; import one of them")
            continue
        track = _track(record, header, where)
        risk = cell(record, "risk_model").strip().lower()
        risk = RISK_MODELS.get(risk) or (TRACK_RISK.get(track) if track else None)
        locator = f"{name}, line {line} (PY{year}, {'ACO_ID' if not aco_num else header[where['aco_num']]} {aco_num or aco_id})"
        org_id = f"cms-aco-{key}" if aco_id else f"cms-aconum-{key}"
        previous = out.rows["organizations"].get(org_id)
        if previous and previous["name"] and _normal(previous["name"])[:12] != _normal(aco_name)[:12]:
            names_differ.append(f"{key}: {previous['name']!r} -> {aco_name!r}")
        single_state = v["state"] if v["state"] and "," not in v["state"] else None
        out.put("organizations", {
            "org_id": org_id, "name": aco_name, "kind": "aco", "state": single_state or "",
            "source_id": source_ref, "locator": locator, "evidence": "reported"},
            update=("name", "state", "source_id", "locator"))
        if aco_id:
            out.put("identifiers", {
                "identifier_id": f"cms-aco-id-{aco_id}", "org_id": org_id, "scheme": "cms-aco-id",
                "value": aco_id,
                "source_id": crosswalk_ref if via_crosswalk else source_ref,
                "locator": (f"{Path(crosswalk.file).name}, line {crosswalk.line(aco_num)} (ACO_NUM "
                            f"{aco_num} -> ACO_ID {aco_id})") if via_crosswalk else locator,
                "evidence": "reported"})
        if aco_num:
            out.put("identifiers", {
                "identifier_id": f"cms-aco-num-{aco_num}", "org_id": org_id,
                "scheme": "cms-aco-num", "value": aco_num,
                "source_id": crosswalk_ref if via_crosswalk else source_ref,
                "locator": (f"{Path(crosswalk.file).name}, line {crosswalk.line(aco_num)} (ACO_NUM "
                            f"{aco_num} -> ACO_ID {aco_id})") if via_crosswalk else locator,
                "evidence": "reported"})
        contract = f"mssp-{key}"
        out.put("payer_contracts", {
            "contract_id": contract, "aco_id": org_id, "program": "medicare-mssp",
            "start": v["initial_start"] or "", "source_id": source_ref, "locator": locator,
            "evidence": "reported"})
        out.put("savings", {
            "result_id": result, "contract_id": contract, "performance_year": str(year),
            "assigned_beneficiaries": "" if v["beneficiaries"] is None else str(int(v["beneficiaries"])),
            "generated_savings_usd": "" if v["generated"] is None else plain_decimal(v["generated"]),
            "earned_savings_usd": "" if earned is None else plain_decimal(earned),
            "benchmark_usd": "" if v["benchmark"] is None else plain_decimal(v["benchmark"]),
            "expenditure_usd": "" if v["expenditure"] is None else plain_decimal(v["expenditure"]),
            "savings_rate_pct": "" if rate is None else plain_decimal(100 * rate, 4),
            "track": f"MSSP {track}" if track else "", "risk_model": risk or "",
            "service_area": v["state"] or "", "source_id": source_ref, "locator": locator,
            "evidence": "reported"}, update=tuple(out.dictionary.resource("savings").columns))
        report.ledger.loaded(str(path), line, result)
    if linked or unlinked:
        report.notes.append(f"identity: {linked} ACO_NUMs linked to an ACO_ID by the crosswalk, "
                            f"{unlinked} not linked (kept as cms-aconum-...)")
    if names_differ:
        report.notes.append(f"names are a check, not the link: {len(names_differ)} ACOs linked by "
                            "identifier have a name that differs in its first 12 letters from the "
                            "previous import's, e.g. " + "; ".join(names_differ[:3]))
    return report


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())
