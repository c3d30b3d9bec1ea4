#!/usr/bin/python3
"""The numpy side of bench/fcm.ts: scikit-fuzzy's cmeans (tools/golden/fcm_reference.py)
on the same standardised matrix and the same initial memberships, read from raw
little-endian float64 files written by the TypeScript side.

    /usr/bin/python3 bench/fcm_numpy.py Z.f64 U0.f64 OUT_U.f64 n d k m error maxiter

maxiter has skfuzzy's meaning (at most maxiter-1 updates). Prints one JSON object:
per-iteration wall times (ms), total, n_iter, converged, objective. Writes the final
memberships (n x k, row-major) to OUT_U.f64 so the TS side can compare them.
BLAS/OpenMP are pinned to 1 thread (Node runs FCM on one thread too) unless
FCM_BENCH_THREADS is set.
"""

import os
import sys

_threads = os.environ.get("FCM_BENCH_THREADS", "1")
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = _threads

import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "golden"))
from fcm_reference import cmeans  # noqa: E402


def main():
    z_path, u0_path, out_path = sys.argv[1:4]
    n, d, k = (int(v) for v in sys.argv[4:7])
    m, error = float(sys.argv[7]), float(sys.argv[8])
    maxiter = int(sys.argv[9])
    X = np.fromfile(z_path, dtype="<f8").reshape(n, d)
    u0 = np.ascontiguousarray(np.fromfile(u0_path, dtype="<f8").reshape(n, k).T)  # skfuzzy's (k, n)
    times = []
    last = [0.0]

    def on_iteration(p, cntr, u, jm, change):
        now = time.perf_counter()
        times.append((now - last[0]) * 1000.0)
        last[0] = now

    start = time.perf_counter()
    last[0] = start
    cntr, u, _, _, jm, p, fpc, converged = cmeans(X.T, k, m, error, maxiter, init=u0, on_iteration=on_iteration)
    total = (time.perf_counter() - start) * 1000.0
    np.ascontiguousarray(u.T).astype("<f8").tofile(out_path)
    print(json.dumps({
        "iteration_ms": times,
        "total_ms": total,
        "n_iter": int(p),
        "converged": bool(converged),
        "objective": float(jm[-1]),
        "numpy": np.__version__,
        "threads": _threads,
    }))


if __name__ == "__main__":
    main()
