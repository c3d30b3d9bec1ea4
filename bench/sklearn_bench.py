#!/usr/bin/python3
"""scikit-learn side of `npm run bench` (run by bench/bench.ts, one process per case).

Reads the very matrix the TypeScript engine fits (bench/output/z-<rows>-s<seed>.f64:
raw little-endian float64, row-major n x d; n, d in the .json beside it) and times

  gmm         GaussianMixture(n_components=4, covariance_type='full', random_state=42).fit
              (defaults tol=1e-3, max_iter=100, reg_covar=1e-6, n_init=1, init 'kmeans'),
              split into k-means init / E-steps / M-steps by wrapping the estimator's own methods
  silhouette  sklearn.metrics.silhouette_score on our GMM's labels (labels-<rows>-s<seed>.i32)
  sweep       what `segment sweep gmm --k 2..8` computes, as a scikit-learn loop: for each k, three
              GaussianMixture(k, 'full').fit with the sweep's seeds (--seeds) and their labels, then
              for the first seed's fit silhouette_score (exact), davies_bouldin_score,
              calinski_harabasz_score, bic, aic and score, and the three adjusted_rand_score pairs
  read        pandas.read_csv + dropna + StandardScaler, when pandas is installed

Threads are whatever the environment says: bench.ts runs it once as is and once with
OMP_NUM_THREADS=1 / OPENBLAS_NUM_THREADS=1 / MKL_NUM_THREADS=1. The BLAS/OpenMP pools
actually used (threadpoolctl) are reported. Prints one line `BENCH_RESULT {json}`.

Needs the Debian interpreter: /usr/bin/python3 bench/sklearn_bench.py gmm 20000 --reps 3
"""

import argparse
import gc
import json
import os
import platform
import re
import sys
import time

import numpy as np
import sklearn
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
OUTPUT_DIR = os.path.join(BENCH_DIR, "output")


def paths(rows, seed):
    stem = f"{rows}-s{seed}"
    return {
        "csv": os.path.join(OUTPUT_DIR, f"customers-{stem}.csv"),
        "z": os.path.join(OUTPUT_DIR, f"z-{stem}.f64"),
        "meta": os.path.join(OUTPUT_DIR, f"z-{stem}.json"),
        "labels": os.path.join(OUTPUT_DIR, f"labels-{stem}.i32"),
    }


def load_matrix(p):
    with open(p["meta"]) as f:
        meta = json.load(f)
    x = np.fromfile(p["z"], dtype="<f8")
    if x.size != meta["n"] * meta["d"]:
        raise SystemExit(f"{p['z']} has {x.size} values, expected {meta['n']}x{meta['d']}")
    return x.reshape(meta["n"], meta["d"]), meta


# ---------------------------------------------------------------- memory

def _vmhwm():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmHWM:\s+(\d+)\s+kB", f.read())
        return int(m.group(1)) * 1024 if m else None
    except OSError:
        return None


def _rss():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmRSS:\s+(\d+)\s+kB", f.read())
        return int(m.group(1)) * 1024 if m else None
    except OSError:
        return None


class MemoryProbe:
    """Peak RSS from a reset point (writing 5 to /proc/self/clear_refs resets VmHWM)."""

    def __init__(self):
        gc.collect()
        self.rss_before = _rss()
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.reset = _vmhwm() is not None
        except OSError:
            self.reset = False

    def report(self):
        if self.reset:
            peak, source = _vmhwm(), "VmHWM-reset"
        else:
            import resource
            peak, source = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "maxrss-process"
        return {"rssBeforeBytes": self.rss_before, "peakRssBytes": peak, "peakRssSource": source}


def threads_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"available": False}
    pools = [
        {"api": i.get("internal_api"), "numThreads": i.get("num_threads"), "version": i.get("version"),
         "threadingLayer": i.get("threading_layer")}
        for i in threadpool_info()
    ]
    return {"available": True, "pools": pools}


def median(values):
    v = sorted(values)
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


# ---------------------------------------------------------------- cases

def timed(store, key, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            store[key] += time.perf_counter() - t
    return wrapper


def case_gmm(x, reps):
    runs = []
    memory = None
    for _ in range(reps):
        gm = GaussianMixture(n_components=4, covariance_type="full", random_state=42)
        phases = {"init": 0.0, "initialMStep": 0.0, "eStep": 0.0, "mStep": 0.0}
        calls = {"e": 0}
        # Instance attributes shadow the methods, so fit() calls these wrappers.
        gm._initialize_parameters = timed(phases, "init", gm._initialize_parameters)
        gm._initialize = timed(phases, "initialMStep", gm._initialize)
        e_step = timed(phases, "eStep", gm._e_step)

        def counted_e_step(X, _e=e_step):
            calls["e"] += 1
            return _e(X)

        gm._e_step = counted_e_step
        gm._m_step = timed(phases, "mStep", gm._m_step)
        probe = MemoryProbe()
        t0 = time.perf_counter()
        gm.fit(x)
        seconds = time.perf_counter() - t0
        mem = probe.report()
        if memory is None or mem["peakRssBytes"] > memory["peakRssBytes"]:
            memory = mem
        kmeans = phases["init"] - phases["initialMStep"]
        em = seconds - phases["init"]
        runs.append({
            "seconds": seconds,
            "iterations": int(gm.n_iter_),
            "converged": bool(gm.converged_),
            "lowerBound": float(gm.lower_bound_),
            "weights": sorted((float(w) for w in gm.weights_), reverse=True),
            # E+M per iteration, the final E-step included, as ours is measured
            "secondsPerIteration": em / gm.n_iter_,
            "initSeconds": phases["init"],
            "phases": {
                "kmeans": kmeans,
                "initialMStep": phases["initialMStep"],
                "eStep": phases["eStep"],
                "mStep": phases["mStep"],
                "other": seconds - phases["init"] - phases["eStep"] - phases["mStep"],
            },
            "eStepCalls": calls["e"],
        })
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {
        "seconds": median([r["seconds"] for r in runs]),
        "runs": [r["seconds"] for r in runs],
        "iterations": best["iterations"],
        "secondsPerIteration": median([r["secondsPerIteration"] for r in runs]),
        "initSeconds": median([r["initSeconds"] for r in runs]),
        "converged": best["converged"],
        "lowerBound": best["lowerBound"],
        "weights": best["weights"],
        "phases": best["phases"],
        "eStepCalls": best["eStepCalls"],
        "memory": memory,
    }


def case_silhouette(x, p, meta, reps):
    labels = np.fromfile(p["labels"], dtype="<i4")
    if labels.size != meta["n"]:
        raise SystemExit(f"{p['labels']} has {labels.size} labels, expected {meta['n']}")
    runs, score, memory = [], None, None
    for _ in range(reps):
        probe = MemoryProbe()
        t0 = time.perf_counter()
        score = float(silhouette_score(x, labels, metric="euclidean"))
        runs.append(time.perf_counter() - t0)
        mem = probe.report()
        if memory is None or mem["peakRssBytes"] > memory["peakRssBytes"]:
            memory = mem
    return {"seconds": median(runs), "runs": runs, "score": score, "memory": memory}


def case_sweep(x, seeds, k_min, k_max):
    probe = MemoryProbe()
    fit_seconds = 0.0
    t0 = time.perf_counter()
    fits = []
    for k in range(k_min, k_max + 1):
        labelings = []
        first = None
        for seed in seeds:
            t = time.perf_counter()
            gm = GaussianMixture(n_components=k, covariance_type="full", random_state=seed).fit(x)
            labelings.append(gm.predict(x))
            fit_seconds += time.perf_counter() - t
            if first is None:
                first = gm
        labels = labelings[0]
        aris = [adjusted_rand_score(labelings[i], labelings[j])
                for i in range(len(labelings)) for j in range(i + 1, len(labelings))]
        fits.append({
            "k": k,
            "bic": float(first.bic(x)),
            "aic": float(first.aic(x)),
            "logLikelihood": float(first.score(x)),
            "silhouette": float(silhouette_score(x, labels, metric="euclidean")),
            "daviesBouldin": float(davies_bouldin_score(x, labels)),
            "calinskiHarabasz": float(calinski_harabasz_score(x, labels)),
            "stability": float(sum(aris) / len(aris)),
            "iterations": int(first.n_iter_),
        })
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "fitSeconds": fit_seconds, "metricSeconds": seconds - fit_seconds,
            "fits": fits, "memory": probe.report()}


def case_read(p, meta, reps):
    try:
        import pandas as pd
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        return {"available": False,
                "reason": "pandas is not installed for /usr/bin/python3 (python3-pandas); "
                          "numpy's genfromtxt/loadtxt are far slower than pandas, so a read comparison would not be fair"}
    runs, memory, n = [], None, None
    for _ in range(reps):
        probe = MemoryProbe()
        t0 = time.perf_counter()
        df = pd.read_csv(p["csv"])
        block = df[meta["features"]].dropna()
        z = StandardScaler().fit_transform(block.to_numpy(dtype=np.float64))
        runs.append(time.perf_counter() - t0)
        n = z.shape[0]
        mem = probe.report()
        if memory is None or mem["peakRssBytes"] > memory["peakRssBytes"]:
            memory = mem
        del df, block, z
    return {"available": True, "seconds": median(runs), "runs": runs, "n": n, "pandas": pd.__version__, "memory": memory}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["gmm", "silhouette", "sweep", "read", "info"])
    ap.add_argument("rows", type=int, nargs="?", default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--seeds", default="42", help="sweep: the seeds of each k's fits, comma-separated")
    ap.add_argument("--k", default="2..8", help="sweep: the k range, both ends included")
    args = ap.parse_args()
    p = paths(args.rows, args.seed)
    result = {}
    if args.case in ("gmm", "silhouette"):
        x, meta = load_matrix(p)
        result = case_gmm(x, args.reps) if args.case == "gmm" else case_silhouette(x, p, meta, args.reps)
        result["n"], result["d"] = int(x.shape[0]), int(x.shape[1])
    elif args.case == "sweep":
        x, meta = load_matrix(p)
        k_min, k_max = (int(v) for v in args.k.split(".."))
        result = case_sweep(x, [int(v) for v in args.seeds.split(",")], k_min, k_max)
        result["n"], result["d"] = int(x.shape[0]), int(x.shape[1])
    elif args.case == "read":
        with open(p["meta"]) as f:
            meta = json.load(f)
        result = case_read(p, meta, args.reps)
    result["threads"] = threads_info()
    result["env"] = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
                     if k in os.environ}
    result["versions"] = {"python": platform.python_version(), "sklearn": sklearn.__version__,
                          "numpy": np.__version__}
    sys.stdout.write("BENCH_RESULT " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
