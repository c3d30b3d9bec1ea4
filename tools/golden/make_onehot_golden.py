#!/usr/bin/python3
"""Golden values for one-hot encoding (test/fixtures/golden/onehot.json).

    /usr/bin/python3 tools/golden/make_onehot_golden.py

On the mixed fixture (test/fixtures/csv/mixed-customers.csv), the columns
age, monthly_spend, tenure_months, churned (numeric), paperless (Yes/No), contract
(3 levels) and region (5 levels, 7 gaps) go through a scikit-learn pipeline:

    ColumnTransformer(one transformer per column, in CSV order:
                      numeric -> passthrough (or SimpleImputer(strategy="median")),
                      categorical -> OneHotEncoder(drop="first", sparse_output=False)
                                     (after SimpleImputer(strategy="most_frequent")))
    -> StandardScaler()
    -> GaussianMixture(n_components=3, random_state=0)

Case "drop": the rows with a missing value in any of these columns are left out first
(Segment's missing = "drop"); case "median": every row, gaps filled. Each case stores the
rows kept, the feature names (an indicator as "column=level"), the encoded matrix before
and after scaling, the scaler's mean_ and scale_, and GaussianMixture fits: from its own
k-means initialisation (full and diag covariances) and, for an exact step-by-step
comparison, from given starting parameters. Format: tools/golden/README.md, section 9.
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from make_golden import VERSIONS, flat, hand_em, ints, write_json  # noqa: E402  (pins BLAS threads first)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURE = os.path.join(REPO, "test", "fixtures", "csv", "mixed-customers.csv")

NUMERIC = ["age", "monthly_spend", "tenure_months", "churned"]
CATEGORICAL = ["paperless", "contract", "region"]
MISSING_TOKENS = {"", "na", "n/a", "nan", "null"}
K = 3


def read_fixture():
    table = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    table = table.apply(lambda col: col.str.strip())
    table = table.mask(table.apply(lambda col: col.str.lower().isin(MISSING_TOKENS)))
    for name in NUMERIC:
        table[name] = table[name].astype(float)
    return table


def encoder(name, impute):
    if name in NUMERIC:
        return SimpleImputer(strategy="median") if impute else "passthrough"
    onehot = OneHotEncoder(drop="first", sparse_output=False, dtype=np.float64)
    return make_pipeline(SimpleImputer(strategy="most_frequent"), onehot) if impute else onehot


def feature_names(ct):
    names = []
    for name, transformer, _ in ct.transformers_:
        if name in NUMERIC:
            names.append(name)
            continue
        onehot = transformer if isinstance(transformer, OneHotEncoder) else transformer[-1]
        categories = list(onehot.categories_[0])
        assert categories == sorted(categories), "OneHotEncoder sorts the categories"
        names.extend("%s=%s" % (name, level) for level in categories[1:])
    return names


def gmm_fit(Z, cov_type):
    """GaussianMixture's own fit, and the labels of the KMeans it starts from (the only step whose
    random numbers Segment cannot share: its EM starts from these labels in the test)."""
    gm = GaussianMixture(n_components=K, covariance_type=cov_type, random_state=0)
    labels = gm.fit_predict(Z)
    init_labels = KMeans(n_clusters=K, n_init=1, random_state=check_random_state(0)).fit(Z).labels_
    return {
        "covariance_type": cov_type,
        "kmeans_init_labels": ints(init_labels),
        "labels": ints(labels),
        "n_iter": int(gm.n_iter_),
        "converged": bool(gm.converged_),
        "lower_bound": float(gm.lower_bound_),
        "score": float(gm.score(Z)),
        "weights": flat(gm.weights_),
        "means": flat(gm.means_),
        "covariances": flat(gm.covariances_),
        "proba": flat(gm.predict_proba(Z)),
    }


def em_from_init(Z, labels):
    """EM from given parameters (the means and weights of a given partition, unit precisions)."""
    d = Z.shape[1]
    weights = np.array([np.mean(labels == c) for c in range(K)])
    means = np.vstack([Z[labels == c].mean(axis=0) for c in range(K)])
    runs = []
    for cov_type in ["full", "diag"]:
        P0 = np.tile(np.eye(d), (K, 1, 1)) if cov_type == "full" else np.ones((K, d))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gm, lbs, _ = hand_em(Z, cov_type, weights.copy(), means.copy(), P0.copy(), 1e-3, 100, 1e-6)
            ref = GaussianMixture(n_components=K, covariance_type=cov_type, tol=1e-3, max_iter=100, reg_covar=1e-6,
                                  weights_init=weights.copy(), means_init=means.copy(), precisions_init=P0.copy(),
                                  random_state=0).fit(Z)
        # The hand-written loop (for the lower bound of every iteration) is the public fit.
        assert ref.n_iter_ == gm.n_iter_ and ref.converged_ == gm.converged_ and ref.lower_bound_ == lbs[-1]
        for a in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
            assert np.max(np.abs(getattr(ref, a) - getattr(gm, a))) <= 1e-12, a
        runs.append({
            "covariance_type": cov_type,
            "tol": 1e-3,
            "max_iter": 100,
            "reg_covar": 1e-6,
            "weights_init": flat(weights),
            "means_init": flat(means),
            "precisions_init": flat(P0),
            "lower_bounds": lbs,
            "n_iter": int(gm.n_iter_),
            "converged": bool(gm.converged_),
            "weights": flat(gm.weights_),
            "means": flat(gm.means_),
            "covariances": flat(gm.covariances_),
            "precisions_cholesky": flat(gm.precisions_cholesky_),
            "score": float(gm.score(Z)),
            "labels": ints(gm.predict(Z)),
            "proba": flat(gm.predict_proba(Z)),
        })
    return runs


def case(name, table, impute):
    columns = [c for c in table.columns if c in NUMERIC or c in CATEGORICAL]
    rows = np.arange(len(table)) if impute else np.flatnonzero(table[columns].notna().all(axis=1).to_numpy())
    X = table.iloc[rows][columns]
    ct = ColumnTransformer([(c, encoder(c, impute), [c]) for c in columns], sparse_threshold=0)
    pipe = Pipeline([("encode", ct), ("scale", StandardScaler())])
    Z = pipe.fit_transform(X)
    raw = pipe.named_steps["encode"].transform(X)
    scaler = pipe.named_steps["scale"]
    n, d = Z.shape
    fits = [gmm_fit(Z, t) for t in ["full", "diag"]]
    return {
        "name": name,
        "missing": "median" if impute else "drop",
        "columns": columns,
        "n": n,
        "d": d,
        "rows": ints(rows + 1),
        "features": feature_names(pipe.named_steps["encode"]),
        "raw": flat(raw),
        "z": flat(Z),
        "mean": flat(scaler.mean_),
        "scale": flat(scaler.scale_),
        "gmm": fits,
        "em": em_from_init(Z, np.asarray(fits[1]["labels"])),
    }


def main():
    table = read_fixture()
    write_json("onehot.json", {
        "generator": dict(VERSIONS, pandas=pd.__version__),
        "fixture": "test/fixtures/csv/mixed-customers.csv",
        "k": K,
        "cases": [case("drop", table, False), case("median", table, True)],
    })


if __name__ == "__main__":
    main()
