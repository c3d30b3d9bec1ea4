#!/usr/bin/python3
"""Writes test/fixtures/csv/mixed-customers.csv: 150 synthetic customers of three
segments with mixed columns, for the golden tests of categorical columns,
descriptors and one-hot encoding (tools/golden/README.md, section 8).

    /usr/bin/python3 tools/golden/make_mixed_fixture.py

Deterministic (numpy's legacy RandomState, seed 12): two runs write the same bytes.
Columns: customer_id (the id), age, monthly_spend (3 gaps), tenure_months,
churned (a 0/1 flag), satisfaction (1-10, 9 gaps), paperless (Yes/No, 2 gaps),
contract (3 levels), region (5 levels, 7 gaps), store (24 levels: more than 20,
so an "(other)" entry), comment (free text, more than 50 distinct values).
"""
import os

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(REPO, "test", "fixtures", "csv", "mixed-customers.csv")

SEGMENTS = [
    # size, age, spend, tenure, churn p, satisfaction, paperless p, contract p (M2M, One, Two)
    (60, 27.0, 32.0, 7.0, 0.55, 5.0, 0.8, (0.85, 0.1, 0.05)),
    (50, 46.0, 84.0, 38.0, 0.1, 8.0, 0.45, (0.2, 0.7, 0.1)),
    (40, 66.0, 55.0, 62.0, 0.2, 7.0, 0.2, (0.1, 0.15, 0.75)),
]
CONTRACTS = ["Month-to-month", "One year", "Two year"]
REGIONS = ["North", "South", "East", "West", "Central"]
STORES = ["S%02d" % i for i in range(1, 25)]
WORDS = ["late", "delivery", "great", "service", "app", "crashes", "price", "too", "high", "friendly",
         "staff", "slow", "refund", "asked", "about", "upgrade", "happy", "with", "the", "plan"]


def main():
    rs = np.random.RandomState(12)
    rows = []
    for seg, (size, age, spend, tenure, churn, sat, paperless, contract) in enumerate(SEGMENTS):
        for _ in range(size):
            rows.append({
                "age": int(round(age + 4.0 * rs.standard_normal())),
                "monthly_spend": "%.2f" % (spend + 6.0 * rs.standard_normal()),
                "tenure_months": int(max(1, round(tenure + 5.0 * rs.standard_normal()))),
                "churned": int(rs.uniform() < churn),
                "satisfaction": int(min(10, max(1, round(sat + 1.5 * rs.standard_normal())))),
                "paperless": "Yes" if rs.uniform() < paperless else "No",
                "contract": CONTRACTS[rs.choice(3, p=contract)],
                "region": REGIONS[(seg + rs.choice(5, p=[0.5, 0.2, 0.1, 0.1, 0.1])) % 5],
                "store": STORES[min(23, int(rs.exponential(6.0) + 4 * seg) % 24)],
                "comment": " ".join(rs.choice(WORDS, size=rs.randint(2, 5))),
            })
    order = rs.permutation(len(rows))
    rows = [rows[i] for i in order]
    for i in rs.choice(len(rows), size=3, replace=False):
        rows[i]["monthly_spend"] = ["", "NA", "n/a"][len([r for r in rows if r["monthly_spend"] in ("", "NA", "n/a")])]
    for i in rs.choice(len(rows), size=9, replace=False):
        rows[i]["satisfaction"] = ""
    for i in rs.choice(len(rows), size=2, replace=False):
        rows[i]["paperless"] = ""
    for i in rs.choice(len(rows), size=7, replace=False):
        rows[i]["region"] = "NA"
    header = ["customer_id", "age", "monthly_spend", "tenure_months", "churned", "satisfaction",
              "paperless", "contract", "region", "store", "comment"]
    lines = [",".join(header)]
    for i, r in enumerate(rows):
        lines.append(",".join(["M%04d" % (i + 1)] + [str(r[h]) for h in header[1:]]))
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    print(OUT)


if __name__ == "__main__":
    main()
