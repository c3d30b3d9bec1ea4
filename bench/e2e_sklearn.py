"""The end-to-end reference of bench/endToEnd.ts: what a data scientist would
write to do what `segment gmm <file.csv> -k 4` does. pandas read_csv, the
numeric columns, dropna, StandardScaler, GaussianMixture(k=4, full, tol 1e-3,
max_iter 100, random_state), a sampled silhouette, Davies-Bouldin and
Calinski-Harabasz, a per-cluster describe with quantiles, the profile as JSON
and YAML, and the assignments CSV (row, id, cluster, one probability per
cluster). Prints one line `BENCH_RESULT {json}` with each phase's seconds.

    /usr/bin/python3 bench/e2e_sklearn.py <file.csv> <out dir> [seed]
"""
import json
import os
import sys
import time

T0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def main() -> None:
    path, out_dir = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    phases = {}
    mark = time.perf_counter()
    phases["import"] = mark - T0

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = now - mark
        mark = now

    df = pd.read_csv(path)
    lap("read")
    numeric = df.select_dtypes("number").dropna()
    X = StandardScaler().fit_transform(numeric.to_numpy(dtype=np.float64))
    lap("prepare")
    gmm = GaussianMixture(n_components=4, covariance_type="full", tol=1e-3, max_iter=100, random_state=seed).fit(X)
    proba = gmm.predict_proba(X)
    labels = proba.argmax(axis=1)
    lap("fit")
    metrics = {
        "silhouette_score": float(silhouette_score(X, labels, sample_size=min(20000, len(X)), random_state=seed)),
        "davies_bouldin_index": float(davies_bouldin_score(X, labels)),
        "calinski_harabasz_index": float(calinski_harabasz_score(X, labels)),
        "bic": float(gmm.bic(X)),
        "aic": float(gmm.aic(X)),
    }
    lap("metrics")
    described = numeric.groupby(labels).describe(percentiles=[0.25, 0.5, 0.75])
    clusters = []
    for c in range(4):
        row = described.loc[c] if c in described.index else None
        features = {}
        if row is not None:
            for column in numeric.columns:
                stats = row[column]
                features[column] = {k: (None if pd.isna(v) else float(v)) for k, v in stats.items()}
        clusters.append({"cluster_id": c, "size": int((labels == c).sum()), "weight": float(gmm.weights_[c]), "features": features})
    profile = {"method": "gmm", "n_samples": int(len(X)), "metrics": metrics, "clusters": clusters}
    lap("describe")
    with open(os.path.join(out_dir, "gmm_cluster_profile.json"), "w") as f:
        json.dump(profile, f, indent=2)
    with open(os.path.join(out_dir, "gmm_cluster_profile.yaml"), "w") as f:
        yaml.safe_dump(profile, f, sort_keys=False)
    assignments = pd.DataFrame({"row": numeric.index + 1})
    if "customer_id" in df.columns:
        assignments["customer_id"] = df.loc[numeric.index, "customer_id"].to_numpy()
    assignments["cluster"] = labels
    for c in range(4):
        assignments[f"prob_cluster_{c}"] = proba[:, c]
    assignments.to_csv(os.path.join(out_dir, "gmm_assignments.csv"), index=False)
    lap("write")
    result = {
        "seconds": time.perf_counter() - T0,
        "phases": phases,
        "n": int(len(X)),
        "d": int(X.shape[1]),
        "iterations": int(gmm.n_iter_),
        "lowerBound": float(gmm.lower_bound_),
    }
    print("BENCH_RESULT " + json.dumps(result), flush=True)


main()
