#!/usr/bin/python3
"""Golden adjusted Rand indices for `segment sweep`'s stability (test/fixtures/golden/ari.json).

Reads the committed label vectors (test/fixtures/golden/ari_labels.json, made by
tools/golden/ari_labels.ts) and writes, for each case, scikit-learn's
adjusted_rand_score of every pair of its labelings, in the order (0,1), (0,2), (1,2),
and their mean (summed in that order, divided by the number of pairs).

    /usr/bin/python3 tools/golden/make_ari_golden.py
"""

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import json
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import OUT_DIR, VERSIONS, write_json  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402


def main():
    with open(os.path.join(OUT_DIR, "ari_labels.json"), encoding="utf-8") as fh:
        cases = json.load(fh)["cases"]
    out = []
    for case in cases:
        labelings = [np.array([int(c) for c in s], dtype=np.int64) for s in case["labelings"]]
        pairs = []
        for i in range(len(labelings)):
            for j in range(i + 1, len(labelings)):
                pairs.append({"i": i, "j": j, "ari": float(adjusted_rand_score(labelings[i], labelings[j]))})
        total = 0.0
        for p in pairs:
            total += p["ari"]
        out.append({"name": case["name"], "n": int(labelings[0].size), "pairs": pairs, "mean": total / len(pairs)})
    path = write_json("ari.json", {"generator": VERSIONS, "cases": out})
    print("wrote", path)


if __name__ == "__main__":
    main()
