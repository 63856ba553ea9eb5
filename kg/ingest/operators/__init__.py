"""Operator discovery: which company runs which ACO, from the public CMS files.

One module per concern:

* :mod:`.normalise` — normal forms of hosts, e-mail domains, addresses, legal-name brands;
* :mod:`.keys` — the key under which values are compared (registrable domains);
* :mod:`.signals` — reading every signal of the CMS files with its file, line and year;
* :mod:`.exclusions` — the documented list of generic values (``data/operators/exclusions.csv``);
* :mod:`.grouping` — tiered union with a bridge guard (two companies never merge);
* :mod:`.registry` — the curated operators, their signals, the review table;
* :mod:`.review` — applying the review to the groups;
* :mod:`.dating` — the years a link holds (documented carrying rule);
* :mod:`.discover` — the pipeline; :mod:`.write` — the rows it adds to an import folder;
* :mod:`.evaluate` — pairwise precision and recall against gold families;
* :mod:`.table` — strict reading of the curated tables.
"""
