"""Writes examples/digits-tasks/digits.csv, the table of the multi-task example: 1,000 of the 1,797
handwritten digits that Debian's python3-sklearn bundles (UCI "Optical Recognition of Handwritten
Digits", E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), each an 8x8 image of counts 0..16 as the
columns p0..p63, with two label columns: `digit` (0..9, every row) and `parity` ("even"/"odd"),
where 30% of the parity labels are "?" (missing). Rows and missing labels are drawn with seed 0.

    apt-get install -y python3-sklearn
    /usr/bin/python3 scripts/make_digits_tasks.py
"""
import csv
import gzip
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
OUT = os.path.join(ROOT, "examples", "digits-tasks", "digits.csv")
ROWS = 1000
MISSING = 0.3


def main():
    with gzip.open(SOURCE, "rt") as f:
        table = [[int(float(v)) for v in row] for row in csv.reader(f) if row]
    assert all(len(r) == 65 for r in table), "expected 64 pixels and a label per row"
    rng = random.Random(0)
    chosen = sorted(rng.sample(range(len(table)), ROWS))
    hidden = set(rng.sample(range(ROWS), round(MISSING * ROWS)))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"p{i}" for i in range(64)] + ["digit", "parity"])
        for k, i in enumerate(chosen):
            pixels, digit = table[i][:64], table[i][64]
            parity = "?" if k in hidden else ("even" if digit % 2 == 0 else "odd")
            w.writerow(pixels + [digit, parity])
    print(f"wrote {OUT}: {ROWS} rows, {len(hidden)} parity labels '?'")


if __name__ == "__main__":
    main()
