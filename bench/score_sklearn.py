#!/usr/bin/python3
"""scikit-learn side of the score bench (bench/score.ts).

    score_sklearn.py MODEL.json Z.f64 N D SCORES.csv [NEW.csv OUT_DIR]

A GaussianMixture holding the parameters of Segment's model file (standardised
space, components in profile order), predict_proba timed (wall and process CPU) on the matrix that
`segment score` standardised (raw little-endian float64, row-major N x D), median
of three runs with scikit-learn's default threads; then the largest absolute
difference between its probabilities and the prob_cluster_* columns of our scores
CSV. With NEW.csv, also what a data scientist would run for `segment score`,
timed once as a whole: pandas read_csv, the model's features, dropna (the model
imputes nothing), the model's scaler, predict_proba and score_samples, and the
scores written with to_csv (row, id, cluster, probabilities, log-likelihood).
Prints `BENCH_RESULT {json}`.
"""
import json
import os
import sys
import time
from statistics import median

import numpy as np
import pandas
import sklearn
from sklearn.mixture import GaussianMixture


def main():
    model_path, matrix_path, n, d, scores_path = sys.argv[1:6]
    n, d = int(n), int(d)
    with open(model_path, encoding="utf-8") as f:
        model = json.load(f)
    x = np.fromfile(matrix_path, dtype="<f8").reshape(n, d)
    gmm = GaussianMixture(n_components=len(model["weights"]), covariance_type=model["covariance_type"])
    gmm.weights_ = np.asarray(model["weights"], dtype=float)
    gmm.means_ = np.asarray(model["means"], dtype=float)
    gmm.covariances_ = np.asarray(model["covariances"], dtype=float)
    gmm.precisions_cholesky_ = np.asarray(model["precisions_cholesky"], dtype=float)
    runs, cpus = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        proba = gmm.predict_proba(x)
        runs.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    columns = [f"prob_cluster_{c}" for c in range(proba.shape[1])]
    ours = pandas.read_csv(scores_path, usecols=columns, dtype=float)[columns].to_numpy()
    result = {
        **(pipeline(gmm, model, sys.argv[6], sys.argv[7]) if len(sys.argv) > 7 else {}),
        "seconds": median(runs),
        "cpuSeconds": median(cpus),
        "runs": runs,
        "maxAbsDiff": float(np.max(np.abs(ours - proba))),
        "sklearn": sklearn.__version__,
    }
    print("BENCH_RESULT " + json.dumps(result))


def pipeline(gmm, model, csv_path, out_dir):
    """read_csv → features → dropna → scale → predict_proba → to_csv, timed as a whole (wall and CPU)."""
    if model.get("imputation") is not None:
        return {}
    t0, c0 = time.perf_counter(), time.process_time()
    frame = pandas.read_csv(csv_path)
    features = model["features"]
    x = frame[features]
    keep = x.notna().all(axis=1).to_numpy()
    z = ((x[keep] - np.asarray(model["scaler"]["mean"])) / np.asarray(model["scaler"]["scale"])).to_numpy()
    proba = gmm.predict_proba(z)
    out = pandas.DataFrame({"row": np.flatnonzero(keep) + 1})
    if model.get("id_column") in frame.columns:
        out[model["id_column"]] = frame[model["id_column"]].to_numpy()[keep]
    out["cluster"] = proba.argmax(axis=1)
    for c in range(proba.shape[1]):
        out[f"prob_cluster_{c}"] = proba[:, c]
    out["log_likelihood"] = gmm.score_samples(z)
    out.to_csv(os.path.join(out_dir, "sklearn_scores.csv"), index=False)
    return {"pipelineSeconds": time.perf_counter() - t0, "pipelineCpuSeconds": time.process_time() - c0}


if __name__ == "__main__":
    main()
