"""Writes small NPY files with NumPy into test/fixtures/npy/, one per case the reader supports
(dtypes, byte orders, Fortran order, header versions 1.0/2.0/3.0), and expected.json with, for
each file, the shape and the values a reader must return (as float64; integers exact).

    /usr/bin/python3 scripts/make_npy_fixtures.py
"""
import json
import os

import numpy as np
from numpy.lib import format as npformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "npy")


def cases():
    grid = np.arange(12).reshape(3, 4)
    return {
        # Written by np.save: the writer test compares its bytes with polytask's.
        "f4_2x3.npy": (np.array([[0.5, -1.25, 3.0], [1e-3, 0.0, -7.5]], dtype="<f4"), (1, 0)),
        "i4_5.npy": (np.array([3, -1, 0, 2147483647, -2147483648], dtype="<i4"), (1, 0)),
        "f4_scalar.npy": (np.array(2.5, dtype="<f4"), (1, 0)),
        "f4_empty_0x3.npy": (np.zeros((0, 3), dtype="<f4"), (1, 0)),
        "f8_3x4.npy": (grid.astype("<f8") / 8, (1, 0)),
        "f2_4.npy": (np.array([1.0, -2.5, 65504.0, 2.0 ** -24], dtype="<f2"), (1, 0)),
        "i8_4.npy": (np.array([0, -5, 2147483647, -2147483648], dtype="<i8"), (1, 0)),
        "u1_2x2.npy": (np.array([[0, 255], [7, 128]], dtype="|u1"), (1, 0)),
        "i1_3.npy": (np.array([-128, 0, 127], dtype="|i1"), (1, 0)),
        "b1_4.npy": (np.array([True, False, False, True]), (1, 0)),
        "i2_be_3.npy": (np.array([-300, 0, 300], dtype=">i2"), (1, 0)),
        "f4_be_2x2.npy": (np.array([[1.5, -2.0], [3.25, 4.0]], dtype=">f4"), (1, 0)),
        "f8_fortran_3x4.npy": (np.asfortranarray(grid.astype("<f8")), (1, 0)),
        "i4_fortran_2x3x4.npy": (np.asfortranarray(np.arange(24, dtype="<i4").reshape(2, 3, 4)), (1, 0)),
        "f4_v2.npy": (np.array([1.0, 2.0, 3.0], dtype="<f4"), (2, 0)),
        "f4_v3.npy": (np.array([[4.0], [5.0]], dtype="<f4"), (3, 0)),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, (arr, version) in cases().items():
        with open(os.path.join(OUT, name), "wb") as f:
            if version == (1, 0):
                np.save(f, arr)
            else:
                npformat.write_array(f, arr, version=version)
        expected[name] = {
            "shape": list(arr.shape),
            "values": np.ascontiguousarray(arr).astype("f8").reshape(-1).tolist(),
        }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", len(expected), "files to", OUT)


if __name__ == "__main__":
    main()
