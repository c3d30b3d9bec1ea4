"""pandas.read_csv of one file, timed: the reference of bench/csvRead.ts.

    /usr/bin/python3 bench/read_csv_pandas.py <file.csv> [--reps N]

Default options, as a data scientist calls it. Prints one line `BENCH_RESULT {json}`
with the median wall seconds, the CPU seconds of that run, rows and columns.
"""
import argparse
import json
import time

import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--reps", type=int, default=1)
    args = ap.parse_args()
    runs = []
    for _ in range(args.reps):
        wall, cpu = time.perf_counter(), time.process_time()
        df = pd.read_csv(args.csv)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        shape = df.shape
        del df
    runs.sort()
    seconds, cpu_seconds = runs[len(runs) // 2]
    print("BENCH_RESULT " + json.dumps({
        "seconds": seconds, "cpuSeconds": cpu_seconds, "runs": [r[0] for r in runs],
        "rows": shape[0], "columns": shape[1], "pandas": pd.__version__,
    }))


if __name__ == "__main__":
    main()
