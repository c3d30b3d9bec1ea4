#!/usr/bin/python3
"""Golden values for `segment score`: scikit-learn's GaussianMixture given the
parameters of a model file that Segment wrote.

    /usr/bin/python3 tools/golden/make_score_golden.py           # score.json from the committed models
    /usr/bin/python3 tools/golden/make_score_golden.py --refit   # first the CSVs and the models again

For each covariance type, reads test/fixtures/golden/score_model_{type}.json (written
by `node dist/cli.js gmm score_train.csv -k 3 --covariance {type}` from the fixed
score_train.csv), builds a GaussianMixture holding its weights_, means_, covariances_
and precisions_cholesky_, standardises score_new.csv with the model's scaler, and
writes predict_proba and score_samples to test/fixtures/golden/score.json. The test
(test/unit/scoreGolden.test.ts) scores score_new.csv with the same model files and
compares, with no Python at test time. See tools/golden/README.md, section 7.

--refit makes score_train.csv and score_new.csv from numpy.random.RandomState(2026)
and runs the built CLI (npm run build first) to write the four model files.
"""

import os

# Pin threading BEFORE numpy/sklearn are imported (summation order => bits).
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import csv
import glob
import json
import math
import platform
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "golden")
TRAIN = os.path.join(FIXTURES, "score_train.csv")
NEW = os.path.join(FIXTURES, "score_new.csv")
TYPES = ["full", "tied", "diag", "spherical"]


def model_path(covariance_type):
    return os.path.join(FIXTURES, f"score_model_{covariance_type}.json")


def write_csvs():
    """90 training customers in 3 correlated groups; 24 new ones, 2 of them far outside every group."""
    rng = np.random.RandomState(2026)
    centers = np.array([[200.0, 4.0, 12.0], [900.0, 12.0, 40.0], [450.0, 25.0, 3.0]])
    spread = np.array([[60.0, 1.5, 5.0], [150.0, 3.0, 9.0], [80.0, 4.0, 1.5]])
    mix = np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.4], [0.2, 0.0, 1.0]])

    def customers(count, group):
        noise = rng.standard_normal((count, 3)) @ mix
        return centers[group] + noise * spread[group]

    train = np.vstack([customers(30, g) for g in range(3)])
    new = np.vstack([customers(8, g) for g in range(3)])
    new[5] = [5000.0, 0.0, 400.0]
    new[17] = [-300.0, 60.0, -50.0]
    for path, rows, prefix in ((TRAIN, train, "T"), (NEW, new, "N")):
        with open(path, "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["customer_id", "spend", "visits", "tenure_months"])
            for i, row in enumerate(rows):
                out.writerow([f"{prefix}{i + 1:03d}"] + [f"{v:.2f}" for v in row])


def refit_models():
    cli = os.path.join(ROOT, "dist", "cli.js")
    if not os.path.exists(cli):
        sys.exit("dist/cli.js is missing: run npm run build first")
    for covariance_type in TYPES:
        with tempfile.TemporaryDirectory() as out:
            report = subprocess.run(
                ["node", cli, "gmm", TRAIN, "-k", "3", "--covariance", covariance_type, "--out", out, "--json"],
                check=True, capture_output=True, text=True,
            )
            shutil.copyfile(json.loads(report.stdout)["model"], model_path(covariance_type))


def read_rows(path, columns):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return np.array([[float(row[c]) for c in columns] for row in rows])


def finite(values):
    for v in np.ravel(values):
        if not math.isfinite(float(v)):
            raise ValueError(f"not finite: {v}")
    return values


def golden_for(covariance_type):
    with open(model_path(covariance_type)) as f:
        model = json.load(f)
    assert model["format"] == "segment-model/1" and model["covariance_type"] == covariance_type
    X = read_rows(NEW, model["features"])
    Z = (X - np.array(model["scaler"]["mean"])) / np.array(model["scaler"]["scale"])
    weights = np.array(model["weights"])
    gmm = GaussianMixture(n_components=len(weights), covariance_type=covariance_type)
    gmm.weights_ = weights
    gmm.means_ = np.array(model["means"])
    gmm.covariances_ = np.array(model["covariances"])
    gmm.precisions_cholesky_ = np.array(model["precisions_cholesky"])
    proba = finite(gmm.predict_proba(Z))
    log_likelihood = finite(gmm.score_samples(Z))
    return {
        "model": os.path.basename(model_path(covariance_type)),
        "n": int(Z.shape[0]),
        "k": int(len(weights)),
        "predict_proba": [float(v) for v in proba.ravel()],
        "score_samples": [float(v) for v in log_likelihood],
        "predict": [int(v) for v in gmm.predict(Z)],
    }


def main():
    if "--refit" in sys.argv[1:]:
        write_csvs()
        refit_models()
    out = {
        "generator": {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "new_csv": os.path.basename(NEW),
        "cases": {t: golden_for(t) for t in TYPES},
    }
    path = os.path.join(FIXTURES, "score.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)}; models: {', '.join(sorted(os.path.basename(p) for p in glob.glob(model_path('*'))))}")


if __name__ == "__main__":
    main()
