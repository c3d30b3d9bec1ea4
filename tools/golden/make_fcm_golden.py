#!/usr/bin/python3
"""Golden values for Fuzzy C-Means (test/fixtures/golden/fcm.json).

    /usr/bin/python3 tools/golden/make_fcm_golden.py

scikit-fuzzy is not installed (nor packaged for Debian), so the values come from
fcm_reference.py, a numpy transcription of skfuzzy's `cmeans` (see its docstring).
Every run starts from GIVEN initial memberships, which are stored in the file, so
the TypeScript side starts from exactly the same numbers. Deterministic: data and
initial memberships come from numpy.random.RandomState with fixed seeds, BLAS is
pinned to one thread (make_golden does that on import). Format: tools/golden/README.md.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from make_golden import VERSIONS, flat, write_json  # noqa: E402  (pins BLAS threads first)

import numpy as np  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from fcm_reference import cmeans, normalize_columns, partition_entropy  # noqa: E402

N_TRACE = 3  # iterations recorded in full


def blob_data(seed, centers, sizes, spread):
    rs = np.random.RandomState(seed)
    centers = np.asarray(centers, dtype=np.float64)
    X = np.vstack([c + spread * rs.standard_normal((m, centers.shape[1])) for c, m in zip(centers, sizes)])
    return StandardScaler().fit_transform(X), rs


def case(name, description, X, k, m, error, maxiter, init_seed):
    X = np.ascontiguousarray(X, dtype=np.float64)
    n, d = X.shape
    rs = np.random.RandomState(init_seed)
    u0 = normalize_columns(rs.rand(k, n))  # skfuzzy's own random init, (k, n)
    trace = []

    def on_iteration(p, cntr, u, jm, change):
        if p <= N_TRACE:
            trace.append({
                "iteration": p,
                "centers": flat(cntr),
                "memberships": flat(u.T),
                "objective": float(jm),
                "change": float(change),
            })

    cntr, u, _, _, jm, p, fpc, converged = cmeans(X.T, k, m, error, maxiter, init=u0.copy(), on_iteration=on_iteration)
    assert np.all(np.isfinite(u)) and np.all(np.isfinite(cntr))
    return {
        "name": name,
        "description": description,
        "n": n, "d": d, "k": k,
        "m": float(m), "error": float(error), "maxiter": int(maxiter),
        "X": flat(X),
        "u0": flat(u0.T),
        "trace": trace,
        "n_iter": int(p),
        "converged": bool(converged),
        "jm": flat(jm),
        "centers": flat(cntr),
        "memberships": flat(u.T),
        "labels": [int(v) for v in np.argmax(u, axis=0)],
        "fpc": float(fpc),
        "partition_entropy": float(partition_entropy(u)),
    }


def make_fcm():
    cases = []

    X, _ = blob_data(1101, [[0.0, 0.0], [4.0, 0.5], [1.5, 4.0]], [40, 30, 20], 1.0)
    cases.append(case(
        "blobs_2d_k3_m2", "3 overlapping 2-D blobs (sd 1, unequal sizes), standardised; the defaults m=2, error=1e-5",
        X, 3, 2.0, 1e-5, 150, 1))

    rs = np.random.RandomState(1202)
    centers = rs.uniform(-2.0, 2.0, size=(4, 4))
    X, _ = blob_data(1203, centers, [35, 30, 30, 25], 1.2)
    cases.append(case(
        "overlap_4d_k4_m1_5", "4 heavily overlapping 4-D blobs, standardised; m=1.5 (general-power path), error=1e-7",
        X, 4, 1.5, 1e-7, 300, 2))

    X, _ = blob_data(1301, [[0.0, 0.0, 0.0], [3.0, 3.0, 0.0], [0.0, 3.0, 3.0]], [25, 25, 25], 1.0)
    cases.append(case(
        "capped_3d_k3_m2_5", "3-D blobs, m=2.5, error=1e-14 so the iteration cap ends the run: "
        "skfuzzy's maxiter=8 makes 7 updates (`while p < maxiter - 1`)",
        X, 3, 2.5, 1e-14, 8, 3))

    X, _ = blob_data(1401, [[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]], [20, 20, 20], 1.0)
    cases.append(case(
        "near_crisp_m1_1", "3 separated 2-D blobs, m=1.1: exponent -20, memberships far from a center underflow "
        "to subnormals or 0",
        X, 3, 1.1, 1e-9, 100, 4))

    return {"generator": dict(VERSIONS, reference="tools/golden/fcm_reference.py (skfuzzy 0.4.2 cmeans)"),
            "cases": cases}


def main():
    path = write_json("fcm.json", make_fcm())
    print("wrote %s %d bytes" % (os.path.relpath(path), os.path.getsize(path)))


if __name__ == "__main__":
    main()
