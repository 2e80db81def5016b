"""Reference safetensors layout in plain Python + PyTorch, for machines without the `safetensors`
package (Debian ships none). It follows the rules of the Hugging Face library's Rust core
(safetensors/src/tensor.rs): tensors sorted by descending dtype alignment (the order of its
`Dtype` enum) then by name; a compact JSON header with `__metadata__` first, padded with spaces
to a multiple of 8; the data buffer covered exactly, in offset order. Metadata keys are written
sorted (the reference uses a hash map, so its order is unspecified).

Example:
    from safetensors_ref import serialize, deserialize
    blob = serialize({"w": torch.ones(2, 3)}, {"format": "pt"})
    tensors, metadata = deserialize(blob)
"""
import json
import struct

import torch

# (name, item size, torch dtype) in the order of the reference `Dtype` enum.
DTYPES = [
    ("BOOL", 1, torch.bool),
    ("U8", 1, torch.uint8),
    ("I8", 1, torch.int8),
    ("I16", 2, torch.int16),
    ("F16", 2, torch.float16),
    ("BF16", 2, torch.bfloat16),
    ("I32", 4, torch.int32),
    ("F32", 4, torch.float32),
    ("F64", 8, torch.float64),
    ("I64", 8, torch.int64),
]
# Ranks follow the full enum, which also holds dtypes torch 1.13 lacks (F8_*, U16, U32, U64).
RANK = {"BOOL": 0, "U8": 1, "I8": 2, "F8_E5M2": 3, "F8_E4M3": 4, "I16": 5, "U16": 6, "F16": 7,
        "BF16": 8, "I32": 9, "U32": 10, "F32": 11, "F64": 12, "I64": 13, "U64": 14}
SIZE = {name: size for name, size, _ in DTYPES}
TO_TORCH = {name: dt for name, _, dt in DTYPES}
FROM_TORCH = {dt: name for name, _, dt in DTYPES}
MAX_HEADER = 100_000_000


def tensor_bytes(t):
    """Little-endian bytes of a tensor in C order (torch on x86/ARM is little-endian)."""
    return t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def serialize(tensors, metadata=None):
    """The bytes the reference writer produces for `tensors` (name -> torch.Tensor)."""
    items = sorted(tensors.items(),
                   key=lambda kv: (-RANK[FROM_TORCH[kv[1].dtype]], kv[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=lambda k: k.encode("utf-8"))}
    offset = 0
    chunks = []
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": FROM_TORCH[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def deserialize(blob):
    """(tensors, metadata) from file bytes, with the reference reader's checks; raises ValueError."""
    if len(blob) < 8:
        raise ValueError("header too small")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER:
        raise ValueError("header too large")
    if 8 + n > len(blob):
        raise ValueError("invalid header length")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("metadata values must be strings")
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    data = blob[8 + n:]
    pos = 0
    tensors = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        if begin != pos or end < begin:
            raise ValueError(f"invalid offset for {name}")
        count = 1
        for d in info["shape"]:
            count *= d
        if end - begin != count * SIZE[info["dtype"]]:
            raise ValueError(f"tensor invalid info for {name}")
        dtype = TO_TORCH[info["dtype"]]
        if count == 0:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(info["shape"])
        pos = end
    if pos != len(data):
        raise ValueError("metadata incomplete buffer")
    return tensors, metadata
