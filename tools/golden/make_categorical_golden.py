#!/usr/bin/python3
"""Golden values for the categorical sections of a profile (test/fixtures/golden/categorical.json).

    /usr/bin/python3 tools/golden/make_categorical_golden.py

Reads the mixed fixture (test/fixtures/csv/mixed-customers.csv, made by
make_mixed_fixture.py) and the cluster labels our engine gives it
(test/fixtures/golden/mixed_labels.json, made by `npx tsx tools/golden/mixed_labels.ts`),
and computes from them, with pandas and scipy only, what ../shared/spec/PROFILE.md
("Categorical columns and descriptors") defines:

* categorical_statistics: pandas `crosstab(cluster, column)` counts and
  `crosstab(..., normalize="index")` shares; lift = share / `value_counts(normalize=True)`;
  levels by descending overall count, ties by level text (Python's str order); more than 20
  levels: the 20 first and "(other)"; members without a value as "(missing)" (count only);
  mode: the most frequent level among the cluster's members, ties to the level listed first.
* descriptor_statistics: numpy mean, median, std (ddof 1), min, max, quantiles (linear)
  over the members with a value, and the count without one.
* categorical_overview: `value_counts()` and `value_counts(normalize=True)`.
* separation: eta_squared = between-cluster / total sum of squares (numpy), and
  `scipy.stats.contingency.association(crosstab, method="cramer", correction=False)`.

Missing cells are those Segment treats as missing: empty, NA, N/A, NaN, null in any case.
Format: tools/golden/README.md, section 8.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from make_golden import VERSIONS, write_json  # noqa: E402  (pins BLAS threads first)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats.contingency import association  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURE = os.path.join(REPO, "test", "fixtures", "csv", "mixed-customers.csv")
LABELS = os.path.join(REPO, "test", "fixtures", "golden", "mixed_labels.json")

FEATURES = ["age", "monthly_spend", "tenure_months", "churned"]
NUMERIC_DESCRIPTORS = ["satisfaction"]
CATEGORIES = ["paperless", "contract", "region", "store"]
MAX_LISTED = 20
MISSING_TOKENS = {"", "na", "n/a", "nan", "null"}


def read_fixture():
    table = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    table = table.apply(lambda col: col.str.strip())
    table = table.mask(table.apply(lambda col: col.str.lower().isin(MISSING_TOKENS)))
    for name in FEATURES + NUMERIC_DESCRIPTORS:
        table[name] = table[name].astype(float)
    return table


def listing(values):
    """Level order over all rows clustered: count descending, then text; the listed ones and the rest."""
    counts = values.value_counts()
    order = sorted(counts.index, key=lambda level: (-counts[level], level))
    return order[:MAX_LISTED], order[MAX_LISTED:]


def cluster_levels(values, labels, k):
    listed, rest = listing(values)
    present = values.notna()
    counts = pd.crosstab(labels[present], values[present])
    shares = pd.crosstab(labels[present], values[present], normalize="index")
    overall_share = values.value_counts(normalize=True)
    overall_count = values.value_counts()
    other_overall_share = overall_count[rest].sum() / overall_count.sum() if rest else None
    out = {}
    for c in range(k):
        in_c = labels == c
        missing = int((in_c & ~present).sum())
        with_value = int((in_c & present).sum())
        levels = {}
        for level in listed:
            count = int(counts.loc[c, level]) if c in counts.index else 0
            share = float(shares.loc[c, level]) if c in shares.index else 0.0
            levels[level] = {"count": count, "share": share, "lift": share / float(overall_share[level])}
        if rest:
            count = int(counts.loc[c, rest].sum()) if c in counts.index else 0
            share = count / with_value if with_value else 0.0
            levels["(other)"] = {"count": count, "share": share, "lift": share / other_overall_share}
        if missing:
            levels["(missing)"] = {"count": missing}
        member_counts = values[in_c & present].value_counts()
        order = listed + rest
        mode = None
        if len(member_counts):
            best = member_counts.max()
            mode = next(level for level in order if member_counts.get(level, 0) == best)
        out[c] = {"mode": mode, "levels": levels}
    return out


def overview(values):
    listed, rest = listing(values)
    counts = values.value_counts()
    shares = values.value_counts(normalize=True)
    out = {level: {"count": int(counts[level]), "share": float(shares[level])} for level in listed}
    if rest:
        out["(other)"] = {"count": int(counts[rest].sum()), "share": float(counts[rest].sum() / counts.sum())}
    missing = int(values.isna().sum())
    if missing:
        out["(missing)"] = {"count": missing}
    return out


def describe(x):
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return {key: None for key in ["mean", "median", "std", "min", "max", "q25", "q75"]}
    return {
        "mean": float(np.mean(x)),
        "median": float(np.median(x)),
        "std": float(np.std(x, ddof=1)) if len(x) > 1 else None,
        "min": float(np.min(x)),
        "max": float(np.max(x)),
        "q25": float(np.quantile(x, 0.25)),
        "q75": float(np.quantile(x, 0.75)),
    }


def eta_squared(x, labels):
    keep = ~np.isnan(x)
    x, labels = x[keep], labels[keep]
    grand = x.mean()
    total = ((x - grand) ** 2).sum()
    between = sum(np.sum(labels == c) * (x[labels == c].mean() - grand) ** 2 for c in np.unique(labels))
    return float(between / total)


def main():
    with open(LABELS, encoding="utf-8") as fh:
        run = json.load(fh)
    table = read_fixture()
    clustered = table.iloc[np.asarray(run["rows"]) - 1].reset_index(drop=True)
    # The rows clustered are exactly those complete in the features (missing = drop).
    assert clustered[FEATURES].notna().all().all()
    assert len(clustered) == int(table[FEATURES].notna().all(axis=1).sum())
    labels = pd.Series(run["labels"], name="cluster")
    k = int(run["options"]["nClusters"])

    per_column = {name: cluster_levels(clustered[name], labels, k) for name in CATEGORIES}
    clusters = {}
    for c in range(k):
        in_c = (labels == c).to_numpy()
        descriptors = {}
        for name in NUMERIC_DESCRIPTORS:
            x = clustered[name].to_numpy()[in_c]
            entry = describe(x[~np.isnan(x)])
            entry["missing"] = int(np.isnan(x).sum())
            descriptors[name] = entry
        clusters["cluster_%d" % c] = {
            "categorical_statistics": {name: per_column[name][c] for name in CATEGORIES},
            "descriptor_statistics": descriptors,
        }
    separation = {}
    for name in table.columns:
        if name in FEATURES or name in NUMERIC_DESCRIPTORS:
            separation[name] = {"measure": "eta_squared", "value": eta_squared(clustered[name].to_numpy(), labels.to_numpy())}
        elif name in CATEGORIES:
            present = clustered[name].notna()
            crosstab = pd.crosstab(labels[present], clustered[name][present])
            value = association(crosstab.to_numpy(), method="cramer", correction=False)
            separation[name] = {"measure": "cramers_v", "value": float(value)}
    write_json("categorical.json", {
        "generator": dict(VERSIONS, pandas=pd.__version__),
        "fixture": "test/fixtures/csv/mixed-customers.csv",
        "labels": "test/fixtures/golden/mixed_labels.json",
        "k": k,
        "categorical_overview": {name: overview(clustered[name]) for name in CATEGORIES},
        "separation": separation,
        "clusters": clusters,
    })


if __name__ == "__main__":
    main()
