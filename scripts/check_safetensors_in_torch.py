"""Loads a safetensors file into PyTorch with the reference reader's checks, prints each tensor,
and verifies that the file is byte for byte what the reference writer would produce for the same
tensors and metadata. With an EXPECTED.json (the format of test/fixtures/torch_small.json) it
also compares dtypes, shapes, values (exactly) and metadata. Exits 1 on any difference.

    /usr/bin/python3 scripts/check_safetensors_in_torch.py FILE [EXPECTED.json]
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_ref import FROM_TORCH, deserialize, serialize  # noqa: E402


def compare(tensors, metadata, expected):
    problems = []
    if metadata != expected.get("metadata", {}):
        problems.append(f"metadata {metadata} != expected {expected.get('metadata', {})}")
    want = expected["tensors"]
    if set(tensors) != set(want):
        problems.append(f"tensor names {sorted(tensors)} != expected {sorted(want)}")
    for name in sorted(set(tensors) & set(want)):
        t, w = tensors[name], want[name]
        if FROM_TORCH[t.dtype] != w["dtype"]:
            problems.append(f"{name}: dtype {FROM_TORCH[t.dtype]} != {w['dtype']}")
        if list(t.shape) != w["shape"]:
            problems.append(f"{name}: shape {list(t.shape)} != {w['shape']}")
        got = t.double().reshape(-1).tolist()
        if got != w["values"]:
            problems.append(f"{name}: values {got[:8]} != expected {w['values'][:8]}")
    return problems


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    with open(argv[1], "rb") as f:
        blob = f.read()
    tensors, metadata = deserialize(blob)
    for name, t in tensors.items():
        print(f"{name}: {FROM_TORCH[t.dtype]} {list(t.shape)} {t.reshape(-1)[:6].tolist()}")
    print("metadata:", metadata)
    has_metadata = b'"__metadata__"' in blob[8:8 + int.from_bytes(blob[:8], "little")]
    problems = []
    if serialize(tensors, metadata if has_metadata else None) != blob:
        problems.append("file differs from the reference layout of the same tensors")
    if len(argv) == 3:
        with open(argv[2]) as f:
            problems += compare(tensors, metadata, json.load(f))
    for p in problems:
        print("MISMATCH:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
