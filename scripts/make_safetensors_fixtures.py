"""Writes test/fixtures/torch_small.safetensors from PyTorch tensors of known values, and
test/fixtures/torch_small.json with what a reader must find in it (dtype as stored, shape, values
as float64 after the dtype's rounding, metadata).

Run with Debian's python3 (the one that has torch):
    /usr/bin/python3 scripts/make_safetensors_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_ref import FROM_TORCH, serialize  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures")


def fixture_tensors():
    return {
        "weight": (torch.arange(6, dtype=torch.float32) * 0.5 - 1.25).reshape(2, 3),
        "bias": torch.tensor([0.1, -0.2, 1e-8], dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "step": torch.tensor(12345, dtype=torch.int64),
        "labels": torch.tensor([0, -1, 2147483647, -2147483648, 7], dtype=torch.int64),
        # 65504 is the largest half, 2**-24 the smallest subnormal.
        "half": torch.tensor([[1.0, -2.5], [65504.0, 2.0 ** -24]], dtype=torch.float16),
        "brain": torch.tensor([1.0, -3.140625, 3.0e38], dtype=torch.bfloat16),
    }


def main():
    tensors = fixture_tensors()
    metadata = {"format": "pt", "source": "make_safetensors_fixtures.py"}
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "torch_small.safetensors"), "wb") as f:
        f.write(serialize(tensors, metadata))
    expected = {
        "metadata": metadata,
        "tensors": {
            name: {
                "dtype": FROM_TORCH[t.dtype],
                "shape": list(t.shape),
                "values": t.double().reshape(-1).tolist(),
            }
            for name, t in tensors.items()
        },
    }
    with open(os.path.join(OUT, "torch_small.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote torch_small.safetensors and torch_small.json to", OUT)


if __name__ == "__main__":
    main()
