"""A small, seeded generator of synthetic alliance data, for benchmarking the maps.

Not a model of the real market (a realistic national-scale generator is a separate
piece of work): it only produces CSV files that follow the data dictionary, with the
shape that matters for drawing a map - a few management partners serving many ACOs
(partner popularity is skewed, so a few partners are hubs), each ACO with a board, seats
and sometimes a veto for its partner, services, one payer contract with three years of
savings, a share of savings for the partner, and participants (providers) of which one
in ten belong to two ACOs. Organizations get a state; memberships get start years and
some get end years; one fact in ten is marked inferred.

Sizes are given as a number of organizations ``n``: about n/60 partners, n/6 ACOs and
the rest participants. The same ``n`` and ``seed`` give byte-identical files.

Usage::

    python bench/synth_alliances.py --organizations 5000 --seed 0 --out /tmp/synth

and :func:`load_store` turns such a folder into an in-memory Oxigraph store (data and
ontology) without the SHACL pass of ``aco-kg build``, which is not what is measured here.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.core.dictionary import load_dictionary  # noqa: E402

__all__ = ["generate", "load_store"]

STATES = ["AL", "AZ", "CA", "CO", "FL", "GA", "IL", "MA", "MI", "NC", "NJ", "NM", "NY", "OH",
          "PA", "TN", "TX", "VA", "WA", "WI"]
PROVIDER_KINDS = ["hospital-or-health-system", "physician-group", "safety-net-provider",
                  "behavioral-health-provider", "community-organization", "other-provider"]
SERVICE_TYPES = ["data-analytics", "administrative", "care-coordination-quality-improvement",
                 "contracting", "staffing", "financial-investment"]
SOURCE = "synthetic"


def generate(folder: str | Path, organizations: int, seed: int = 0) -> dict[str, int]:
    """Write one CSV per resource of the data dictionary into `folder`.

    Returns
    -------
    dict
        Rows written per file.
    """
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n_partners = max(3, organizations // 60)
    n_acos = max(5, organizations // 6)
    n_participants = max(0, organizations - n_partners - n_acos)
    rows: dict[str, list[dict]] = {r.name: [] for r in load_dictionary().resources}

    def evidence() -> str:
        return "inferred" if rng.random() < 0.1 else "reported"

    def prov(locator: str) -> dict:
        return {"source_id": SOURCE, "locator": locator, "evidence": evidence()}

    rows["sources"].append({"source_id": SOURCE, "title": "Synthetic alliances for benchmarks",
                            "citation": "aco-kg bench/synth_alliances.py (synthetic data)",
                            "source_kind": "data-file"})
    for p in range(n_partners):
        rows["organizations"].append({"org_id": f"partner-{p}", "name": f"Partner {p}",
                                      "kind": "management-partner", "is_pseudonym": "no",
                                      **prov(f"partner {p}")})
    # skewed popularity: partner p is chosen with weight 1/(p+1)
    weights = 1.0 / np.arange(1, n_partners + 1)
    weights /= weights.sum()
    aco_state = {}
    for a in range(n_acos):
        state = STATES[int(rng.integers(len(STATES)))]
        aco_state[a] = state
        aco = f"aco-{a}"
        rows["organizations"].append({"org_id": aco, "name": f"ACO {a}", "kind": "aco",
                                      "state": state, **prov(f"aco {a}")})
        partners = [int(rng.choice(n_partners, p=weights))]
        if rng.random() < 0.1:
            partners.append(int(rng.choice(n_partners, p=weights)))
        start = int(rng.integers(2012, 2021))
        rows["alliances"].append({"alliance_id": f"alliance-{a}", "name": f"ACO {a} alliance",
                                  "alliance_kind": "aco-management-partner", **prov("alliance")})
        rows["alliance_members"].append({"membership_id": f"m-{a}-aco", "alliance_id": f"alliance-{a}",
                                         "org_id": aco, "role": "aco", "start": str(start),
                                         **prov("membership")})
        rows["boards"].append({"board_id": f"board-{a}", "aco_id": aco, "name": f"ACO {a} board",
                               **prov("board")})
        for partner in sorted(set(partners)):
            org = f"partner-{partner}"
            end = str(start + int(rng.integers(1, 8))) if rng.random() < 0.3 else ""
            rows["alliance_members"].append({
                "membership_id": f"m-{a}-p{partner}", "alliance_id": f"alliance-{a}",
                "org_id": org, "role": "management-partner", "start": str(start), "end": end,
                **prov("membership")})
            for s in range(int(rng.integers(0, 3))):
                rows["board_seats"].append({"seat_id": f"seat-{a}-p{partner}-{s}", "board_id": f"board-{a}",
                                            "holder_org": org, "voting": "yes", "votes": "1",
                                            **prov("seat")})
            if rng.random() < 0.3:
                rows["reserved_powers"].append({"power_id": f"veto-{a}-p{partner}", "board_id": f"board-{a}",
                                                "holder_org": org, "power_kind": "veto",
                                                "matter": "all-board-decisions", **prov("veto")})
            for s in rng.choice(len(SERVICE_TYPES), size=int(rng.integers(1, 4)), replace=False):
                rows["services"].append({"service_id": f"svc-{a}-p{partner}-{s}", "alliance_id": f"alliance-{a}",
                                         "provider_org": org, "recipient_org": aco,
                                         "service_type": SERVICE_TYPES[int(s)], "delivery": "delivered",
                                         **prov("service")})
        contract = f"contract-{a}"
        rows["payer_contracts"].append({"contract_id": contract, "aco_id": aco,
                                        "program": "medicare-mssp", **prov("contract")})
        for year in range(1, 4):
            rows["savings"].append({"result_id": f"{contract}-{year}", "contract_id": contract,
                                    "contract_year": str(year),
                                    "earned_savings_usd": str(int(rng.normal(2e6, 1.5e6))),
                                    **prov("savings")})
        share = {"share_id": f"share-{a}", "contract_id": contract,
                 "recipient_org": f"partner-{partners[0]}", **prov("share")}
        draw = rng.random()
        if draw < 0.6:
            share["share_exact_pct"] = str(int(rng.integers(10, 60)))
        elif draw < 0.8:
            share["share_max_pct"], share["share_max_exclusive"] = "30", "yes"
        else:
            share["share_level"] = "significant"
        rows["savings_shares"].append(share)
    for i in range(n_participants):
        a = int(rng.integers(n_acos))
        org = f"provider-{i}"
        rows["organizations"].append({"org_id": org, "name": f"Provider {i}",
                                      "kind": PROVIDER_KINDS[int(rng.integers(len(PROVIDER_KINDS)))],
                                      "state": aco_state[a], **prov(f"provider {i}")})
        acos = {a} | ({int(rng.integers(n_acos))} if rng.random() < 0.1 else set())
        for b in sorted(acos):
            rows["aco_participants"].append({"participation_id": f"part-{i}-{b}", "aco_id": f"aco-{b}",
                                             "org_id": org, "start": str(int(rng.integers(2012, 2021))),
                                             **prov("participation")})
    for resource in load_dictionary().resources:
        columns = [f.name for f in resource.fields]
        with open(folder / resource.path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
            writer.writeheader()
            for row in rows[resource.name]:
                writer.writerow({c: row.get(c, "") for c in columns})
    return {name: len(r) for name, r in rows.items()}


def load_store(folder: str | Path):
    """Read, check and map the CSV files of `folder` and load them into a new in-memory store.

    Raises
    ------
    ValueError
        If any row is rejected (the generator has a bug).
    """
    import pyoxigraph as ox

    from kg.graph.mapping import map_tables
    from kg.graph.ontology import ONTOLOGY_DIR, ONTOLOGY_FILES, code_lists
    from kg.ingest.tables import check_keys, check_references, check_values, read_table

    dictionary = load_dictionary()
    codes = code_lists()
    tables = {}
    for resource in dictionary.resources:
        table = read_table(Path(folder) / resource.path, resource)
        check_values(table, codes, dictionary)
        check_keys(table)
        tables[resource.name] = table
    check_references(tables)
    problems = [p for t in tables.values() for p in t.problems]
    if problems:
        raise ValueError(f"{len(problems)} rejected rows, first: {problems[0]}")
    mapped = map_tables(tables, dictionary, codes)
    store = ox.Store()
    store.load(mapped.ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    for name in ONTOLOGY_FILES:
        path = ONTOLOGY_DIR / name
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.organizations, args.seed)
    print(", ".join(f"{k}: {v}" for k, v in counts.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
