#!/usr/bin/python3
"""Generate golden expected values (JSON) from scikit-learn for the TS test suite.

Run with the Debian interpreter that has python3-sklearn installed:

    /usr/bin/python3 tools/golden/make_golden.py

Writes test/fixtures/golden/*.json. Deterministic: all data come from
numpy.random.RandomState (legacy generator, whose stream numpy guarantees stable)
with fixed seeds, and BLAS/OpenMP are pinned to one thread so reductions have a
fixed order. Two runs on the same machine give byte-identical files.
See tools/golden/README.md for the exact file formats.
"""

import os

# Pin threading BEFORE numpy/scipy/sklearn are imported (summation order => bits).
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import json
import math
import platform
import sys
import warnings

import numpy as np
import scipy
import sklearn
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT_DIR = os.path.join(REPO, "test", "fixtures", "golden")

VERSIONS = {
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "python": platform.python_version(),
}

COV_TYPES = ["full", "tied", "diag", "spherical"]


# ---------------------------------------------------------------------------
# JSON writer: full round-trip float precision (repr), dicts indented one key per
# line, lists of scalars on a single line. Refuses NaN/Inf.
# ---------------------------------------------------------------------------
def _scalar(x):
    if isinstance(x, (bool, np.bool_)):
        return "true" if bool(x) else "false"
    if x is None:
        return "null"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if not math.isfinite(f):
            raise ValueError("non-finite float in golden output: %r" % f)
        return repr(f)  # shortest repr that round-trips exactly
    if isinstance(x, str):
        return json.dumps(x)
    raise TypeError("unsupported type %r" % type(x))


def _is_scalar(x):
    return x is None or isinstance(x, (bool, int, float, str, np.bool_, np.integer, np.floating))


def _dump(obj, indent=0):
    pad = "  " * indent
    pad1 = "  " * (indent + 1)
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [pad1 + json.dumps(str(k)) + ": " + _dump(v, indent + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(_is_scalar(v) for v in obj):
            return "[" + ",".join(_scalar(v) for v in obj) + "]"
        items = [pad1 + _dump(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(obj)


def write_json(name, obj):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    text = _dump(obj) + "\n"
    # sanity: must parse back and floats must round-trip
    json.loads(text)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path


def flat(a):
    """Row-major (C order) flattening to a Python list of float."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel(order="C")]


def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


# ---------------------------------------------------------------------------
# 1. metrics.json
# ---------------------------------------------------------------------------
def blobs(rs, centers, sizes, scale):
    centers = np.asarray(centers, dtype=np.float64)
    X, y = [], []
    for j, (c, m) in enumerate(zip(centers, sizes)):
        X.append(c + scale * rs.standard_normal((m, centers.shape[1])))
        y.extend([j] * m)
    return np.vstack(X), np.asarray(y, dtype=np.int64)


def metric_case(name, X, labels, description):
    X = np.ascontiguousarray(X, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    n, d = X.shape
    k = int(labels.max()) + 1
    assert sorted(set(labels.tolist())) == list(range(k)), name
    sil_samples = silhouette_samples(X, labels, metric="euclidean")
    sil = silhouette_score(X, labels, metric="euclidean")
    assert sil == np.mean(sil_samples)
    # Same silhouette but from exactly computed distances (scipy cdist, direct
    # sqrt(sum (x-y)^2)) instead of sklearn's ||x||^2-2x.y+||y||^2 expansion.
    D = cdist(X, X, metric="euclidean")
    np.fill_diagonal(D, 0.0)
    sil_samples_exact = silhouette_samples(D, labels, metric="precomputed")
    return {
        "name": name,
        "description": description,
        "n": n,
        "d": d,
        "k": k,
        "X": flat(X),
        "labels": ints(labels),
        "silhouette": float(sil),
        "davies_bouldin": float(davies_bouldin_score(X, labels)),
        "calinski_harabasz": float(calinski_harabasz_score(X, labels)),
        "silhouette_samples": flat(sil_samples),
        "silhouette_exact_dist": float(np.mean(sil_samples_exact)),
        "silhouette_samples_exact_dist": flat(sil_samples_exact),
    }


def make_metrics():
    cases = []

    # (a) well-separated blobs, n=60, d=2, k=3, ground-truth labels
    rs = np.random.RandomState(101)
    X, y = blobs(rs, [[0.0, 0.0], [10.0, 0.0], [5.0, 9.0]], [20, 20, 20], 1.0)
    cases.append(metric_case(
        "well_separated_blobs", X, y,
        "3 isotropic Gaussian blobs (sd 1) with centres ~10 apart; labels = generating blob"))

    # (b) overlapping 5-D data, n=300, d=5, k=4, labels from KMeans
    rs = np.random.RandomState(202)
    centers = rs.uniform(-2.0, 2.0, size=(4, 5))
    X, _ = blobs(rs, centers, [90, 80, 70, 60], 1.5)
    km = KMeans(n_clusters=4, n_init=10, random_state=0, algorithm="lloyd").fit(X)
    cases.append(metric_case(
        "overlapping_5d_kmeans", X, km.labels_,
        "4 heavily overlapping 5-D blobs (sd 1.5, centres U(-2,2)); labels = "
        "KMeans(n_clusters=4, n_init=10, random_state=0, algorithm='lloyd').labels_"))

    # (c) random labels on pure noise, n=200, d=3, k=3
    rs = np.random.RandomState(303)
    X = rs.standard_normal((200, 3))
    y = rs.randint(0, 3, size=200)
    cases.append(metric_case(
        "random_labels_noise", X, y,
        "standard normal noise in 3-D with labels drawn uniformly from {0,1,2}"))

    # (d) singleton cluster: two blobs + one far outlier in its own cluster (label 2)
    rs = np.random.RandomState(404)
    X, y = blobs(rs, [[0.0, 0.0, 0.0], [6.0, 6.0, 0.0]], [25, 25], 1.0)
    X = np.vstack([X, [[20.0, -5.0, 3.0]]])
    y = np.concatenate([y, [2]])
    cases.append(metric_case(
        "singleton_cluster", X, y,
        "two 3-D blobs of 25 + 1 outlier that forms cluster 2 alone; sklearn sets the "
        "silhouette of a singleton-cluster sample to 0 (a = 0/0 -> nan_to_num)"))

    # (e) duplicate points: 3 blobs of 15, 10 duplicated rows (same label as the
    # original, inserted at the end), and a 4th cluster of 5 identical points.
    rs = np.random.RandomState(505)
    X, y = blobs(rs, [[0.0, 0.0], [7.0, 1.0], [2.0, 7.0]], [15, 15, 15], 1.2)
    dup_idx = rs.choice(len(X), size=10, replace=False)
    X = np.vstack([X, X[dup_idx], np.tile([[12.5, 12.5]], (5, 1))])
    y = np.concatenate([y, y[dup_idx], [3] * 5])
    cases.append(metric_case(
        "duplicate_points", X, y,
        "3 2-D blobs of 15, then 10 exact copies of existing rows (same labels), then "
        "cluster 3 = 5 identical points (zero intra-cluster dispersion)"))

    # (f) k = 2, tiny, hand-checkable
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [6.0, 5.0], [5.0, 7.0]])
    y = np.array([0, 0, 0, 1, 1, 1])
    cases.append(metric_case(
        "tiny_two_clusters", X, y, "6 hand-written points in 2 clusters of 3"))

    return {"generator": VERSIONS, "cases": cases}


# ---------------------------------------------------------------------------
# 2. gmm_em.json
# ---------------------------------------------------------------------------
GMM_TRUE_MEANS = np.array([[0.0, 0.0, 0.0], [2.5, 1.0, 0.5], [0.5, 2.5, 1.5]])


def gmm_em_data():
    rs = np.random.RandomState(606)
    X = []
    covs = [
        np.array([[1.0, 0.3, 0.0], [0.3, 0.8, 0.2], [0.0, 0.2, 0.6]]),
        np.array([[0.7, -0.2, 0.1], [-0.2, 1.2, 0.0], [0.1, 0.0, 0.9]]),
        np.array([[0.9, 0.0, 0.3], [0.0, 0.6, -0.1], [0.3, -0.1, 1.1]]),
    ]
    for mu, c, m in zip(GMM_TRUE_MEANS, covs, [80, 70, 50]):
        L = np.linalg.cholesky(c)
        X.append(mu + rs.standard_normal((m, 3)) @ L.T)
    X = np.vstack(X)
    perm = rs.permutation(len(X))  # shuffle so the row order carries no label info
    return np.ascontiguousarray(X[perm])


# Deliberately poor starting point: means pulled towards each other and shifted.
EM_WEIGHTS_INIT = np.array([0.25, 0.5, 0.25])
EM_MEANS_INIT = np.array([[1.0, 0.5, 1.0], [1.5, 1.0, 0.5], [1.0, 1.5, 0.5]])


def em_precisions_init(cov_type, k, d):
    if cov_type == "full":
        P = np.empty((k, d, d))
        base = [
            np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.25], [0.0, 0.25, 1.5]]),
            np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
            np.array([[1.5, -0.25, 0.5], [-0.25, 2.0, 0.0], [0.5, 0.0, 1.0]]),
        ]
        for j in range(k):
            P[j] = base[j]
        return P
    if cov_type == "tied":
        return np.array([[1.25, 0.25, 0.0], [0.25, 1.5, -0.25], [0.0, -0.25, 1.0]])
    if cov_type == "diag":
        return np.array([[2.0, 1.0, 1.5], [1.0, 1.0, 1.0], [0.5, 2.0, 1.25]])
    if cov_type == "spherical":
        return np.array([2.0, 1.0, 0.5])
    raise ValueError(cov_type)


def hand_em(X, cov_type, weights_init, means_init, precisions_init, tol, max_iter,
            reg_covar, random_state=0):
    """Reproduces BaseMixture.fit_predict (n_init=1) step by step, recording the
    lower bound of every iteration."""
    gm = GaussianMixture(
        n_components=len(weights_init), covariance_type=cov_type, tol=tol,
        max_iter=max_iter, reg_covar=reg_covar, n_init=1,
        weights_init=weights_init, means_init=means_init,
        precisions_init=precisions_init, random_state=random_state)
    gm._validate_params()
    gm._check_parameters(X)
    rs = check_random_state(random_state)
    gm._initialize_parameters(X, rs)  # runs (and ignores) a KMeans; inits win
    lower_bound = -np.inf
    lbs = []
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        prev = lower_bound
        log_prob_norm, log_resp = gm._e_step(X)
        gm._m_step(X, log_resp)
        lower_bound = gm._compute_lower_bound(log_resp, log_prob_norm)
        lbs.append(float(lower_bound))
        if abs(lower_bound - prev) < tol:
            converged = True
            break
    gm._set_parameters(gm._get_parameters())  # computes precisions_
    gm.converged_ = converged
    gm.n_iter_ = n_iter
    gm.lower_bound_ = lower_bound
    _, log_resp = gm._e_step(X)  # final e-step, as fit_predict does
    labels = log_resp.argmax(axis=1)
    return gm, lbs, labels


def make_gmm_em():
    X = gmm_em_data()
    n, d = X.shape
    k = 3
    reg_covar = 1e-6
    runs = []
    for cov_type in COV_TYPES:
        P0 = em_precisions_init(cov_type, k, d)
        for tol, max_iter in [(1e-3, 100), (1e-10, 25)]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gm, lbs, hand_labels = hand_em(
                    X, cov_type, EM_WEIGHTS_INIT.copy(), EM_MEANS_INIT.copy(), P0.copy(),
                    tol, max_iter, reg_covar)
                ref = GaussianMixture(
                    n_components=k, covariance_type=cov_type, tol=tol, max_iter=max_iter,
                    reg_covar=reg_covar, n_init=1, weights_init=EM_WEIGHTS_INIT.copy(),
                    means_init=EM_MEANS_INIT.copy(), precisions_init=P0.copy(),
                    random_state=0).fit(X)
            # --- verify the hand loop against the public API ---
            assert ref.n_iter_ == gm.n_iter_, (cov_type, tol, ref.n_iter_, gm.n_iter_)
            assert ref.converged_ == gm.converged_
            assert abs(ref.lower_bound_ - gm.lower_bound_) <= 1e-12
            assert ref.lower_bound_ == lbs[-1]
            for a in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
                assert np.max(np.abs(getattr(ref, a) - getattr(gm, a))) <= 1e-12, a
            assert np.array_equal(ref.predict(X), hand_labels)
            assert len(lbs) == ref.n_iter_

            proba = ref.predict_proba(X)
            runs.append({
                "covariance_type": cov_type,
                "tol": tol,
                "max_iter": max_iter,
                "reg_covar": reg_covar,
                "n_components": k,
                "weights_init": flat(EM_WEIGHTS_INIT),
                "means_init": flat(EM_MEANS_INIT),
                "precisions_init": flat(P0),
                "precisions_init_shape": list(P0.shape),
                "lower_bounds": lbs,
                "n_iter": int(ref.n_iter_),
                "converged": bool(ref.converged_),
                "lower_bound": float(ref.lower_bound_),
                "weights": flat(ref.weights_),
                "means": flat(ref.means_),
                "covariances": flat(ref.covariances_),
                "covariances_shape": list(ref.covariances_.shape),
                "precisions": flat(ref.precisions_),
                "precisions_cholesky": flat(ref.precisions_cholesky_),
                "score": float(ref.score(X)),
                "score_samples": flat(ref.score_samples(X)),
                "bic": float(ref.bic(X)),
                "aic": float(ref.aic(X)),
                "n_parameters": int(ref._n_parameters()),
                "labels": ints(ref.predict(X)),
                "proba": flat(proba),
            })
    return {
        "generator": VERSIONS,
        "n": n,
        "d": d,
        "k": k,
        "X": flat(X),
        "runs": runs,
    }


# ---------------------------------------------------------------------------
# 3. gmm_kmeans_init.json
# ---------------------------------------------------------------------------
def make_gmm_kmeans_init():
    cases = []
    rs = np.random.RandomState(707)
    X4, y4 = blobs(rs, [[0, 0, 0, 0], [20, 0, 0, 0], [0, 20, 0, 0], [0, 0, 20, 20]],
                   [75, 65, 55, 45], 1.0)
    perm = rs.permutation(len(X4))
    X4, y4 = X4[perm], y4[perm]
    rs = np.random.RandomState(708)
    X2, y2 = blobs(rs, [[-15, 0], [0, 15], [15, -5]], [50, 40, 30], 1.0)
    perm = rs.permutation(len(X2))
    X2, y2 = X2[perm], y2[perm]

    for name, X, y, k in [("blobs_4d_k4", X4, y4, 4), ("blobs_2d_k3", X2, y2, 3)]:
        X = np.ascontiguousarray(X)
        n, d = X.shape
        # the KMeans that GaussianMixture._initialize_parameters runs internally
        km_labels = KMeans(n_clusters=k, n_init=1,
                           random_state=check_random_state(0)).fit(X).labels_
        fits = []
        for cov_type in COV_TYPES:
            gm = GaussianMixture(n_components=k, covariance_type=cov_type, random_state=0)
            labels = gm.fit_predict(X)
            assert np.array_equal(labels, gm.predict(X))
            order_w = np.argsort(-gm.weights_, kind="stable")
            order_m = np.argsort(gm.means_[:, 0], kind="stable")
            fits.append({
                "covariance_type": cov_type,
                "labels": ints(labels),
                "n_iter": int(gm.n_iter_),
                "converged": bool(gm.converged_),
                "lower_bound": float(gm.lower_bound_),
                "score": float(gm.score(X)),
                "bic": float(gm.bic(X)),
                "aic": float(gm.aic(X)),
                "n_parameters": int(gm._n_parameters()),
                "weights_sorted_desc": flat(gm.weights_[order_w]),
                "means_sorted_by_first_coord": flat(gm.means_[order_m]),
                "weights_in_means_order": flat(gm.weights_[order_m]),
            })
        cases.append({
            "name": name,
            "n": n,
            "d": d,
            "k": k,
            "X": flat(X),
            "true_labels": ints(y),
            "kmeans_init_labels": ints(km_labels),
            "fits": fits,
        })
    return {"generator": VERSIONS, "random_state": 0, "cases": cases}


# ---------------------------------------------------------------------------
# 4. ill_conditioned.json
# ---------------------------------------------------------------------------
def make_ill_conditioned():
    rs = np.random.RandomState(808)
    X, y = blobs(rs, [[0.0, 0.0], [5.0, 3.0]], [40, 40], 1.0)
    X = np.column_stack([X[:, 0], X[:, 1], 2.0 * X[:, 0]])  # col2 == 2*col0 exactly
    perm = rs.permutation(len(X))
    X = np.ascontiguousarray(X[perm])
    n, d = X.shape
    attempts = []
    for reg_covar in [1e-6, 0.0]:
        gm = GaussianMixture(n_components=2, covariance_type="full", reg_covar=reg_covar,
                             random_state=0)
        entry = {"covariance_type": "full", "k": 2, "reg_covar": reg_covar,
                 "random_state": 0}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                labels = gm.fit_predict(X)
        except Exception as e:  # record what sklearn does
            entry.update({"outcome": "error", "error_type": type(e).__name__,
                          "error_message": str(e)})
        else:
            order_m = np.argsort(gm.means_[:, 0], kind="stable")
            entry.update({
                "outcome": "fit",
                "n_iter": int(gm.n_iter_),
                "converged": bool(gm.converged_),
                "lower_bound": float(gm.lower_bound_),
                "labels": ints(labels),
                "weights": flat(gm.weights_),
                "means": flat(gm.means_),
                "covariances": flat(gm.covariances_),
                "score": float(gm.score(X)),
                "bic": float(gm.bic(X)),
                "aic": float(gm.aic(X)),
                "n_parameters": int(gm._n_parameters()),
                "weights_in_means_order": flat(gm.weights_[order_m]),
                "means_sorted_by_first_coord": flat(gm.means_[order_m]),
            })
        attempts.append(entry)
    return {"generator": VERSIONS, "n": n, "d": d, "X": flat(X),
            "true_labels": ints(y[perm]), "attempts": attempts}


# ---------------------------------------------------------------------------
# 5. standardize.json
# ---------------------------------------------------------------------------
QPROBS = [0.25, 0.5, 0.75]


def standardize_case(name, X):
    X = np.ascontiguousarray(X, dtype=np.float64)
    n, d = X.shape
    sc = StandardScaler()
    Z = sc.fit_transform(X)
    q = np.quantile(X, QPROBS, axis=0, method="linear")  # shape (3, d)
    return {
        "name": name,
        "n": n,
        "d": d,
        "X": flat(X),
        "transformed": flat(Z),
        "mean": flat(sc.mean_),
        "var": flat(sc.var_),
        "scale": flat(sc.scale_),
        "quantile_probs": QPROBS,
        "quantiles": flat(q.T),  # (d, 3) row-major: column j -> [q25, q50, q75]
        "std_ddof1": flat(np.std(X, axis=0, ddof=1)),
    }


def make_standardize():
    X = np.array([
        [1.5, 200.0, -3.25],
        [2.0, 180.0, 0.5],
        [3.75, 260.0, 1.0],
        [0.25, 150.0, -0.75],
        [5.0, 310.0, 2.5],
        [2.5, 220.0, 0.0],
        [4.125, 275.0, -1.5],
    ])
    main = standardize_case("main", X)
    rs = np.random.RandomState(909)
    Xc = np.column_stack([rs.standard_normal(7) * 3 + 10, np.full(7, 4.2), rs.uniform(0, 1, 7)])
    extra = standardize_case("constant_middle_column", Xc)
    out = {"generator": VERSIONS}
    out.update(main)
    out["quantile_column"] = 0
    out["quantiles_column0"] = flat(np.quantile(X[:, 0], QPROBS, method="linear"))
    out["std_ddof1_column0"] = float(np.std(X[:, 0], ddof=1))
    out["extra_cases"] = [extra]
    return out


def main():
    written = []
    written.append(write_json("metrics.json", make_metrics()))
    written.append(write_json("gmm_em.json", make_gmm_em()))
    written.append(write_json("gmm_kmeans_init.json", make_gmm_kmeans_init()))
    written.append(write_json("ill_conditioned.json", make_ill_conditioned()))
    written.append(write_json("standardize.json", make_standardize()))
    for p in written:
        print("wrote %-60s %8d bytes" % (os.path.relpath(p, REPO), os.path.getsize(p)))
    print("python %s | numpy %s | scipy %s | scikit-learn %s" % (
        VERSIONS["python"], VERSIONS["numpy"], VERSIONS["scipy"], VERSIONS["sklearn"]))
    print("interpreter: %s" % sys.executable)


if __name__ == "__main__":
    main()
