"""PyTorch (and NumPy) side of `npm run bench`: runs one workload and prints one JSON line.

usage: torch_worker.py W1|W2|W3|W4|W5|W6|W7|W8-raw|W8-mel --threads T [--steps S] [--size N] [--lib torch|numpy] [--seconds S]
W1: MLP 784-512-512-10, ReLU, batch 256, Adam.  W2: the benchmark CNN, batch 128, Adam.
W3: SGEMM N×N×N into a preallocated output, each call of a window timed (gemm_rate).  W4: torchvision ResNet-18 on 32×32 RGB, batch 64, SGD
momentum 0.9.  W5: BERT (scripts/zoo_reference.py's Hugging Face-named module; 4 layers, hidden 256,
4 heads, vocabulary 30,522) + classifier, sequence 128, batch 32, AdamW.  W6: ResNet-18 inference
at 224×224, batch 8, eval mode, no gradients.  W7: the text case's model (zoo_reference's BertModel, 8,001
ids, 32 wide, 1 layer, 2 heads, dropout 0.1, its last hidden states averaged over the non-padding tokens, Linear
32→20 + ReLU, heads 4 and 45, losses summed; ids [64, 40], Adam lr 0.003).  W8-raw: M5 (channels 32)
on [32, 1, 16538]; W8-mel: the spectrogram CNN (16, 32, 64)
on [32, 1, 32, 128]; Adam lr 0.002 (polytask-worker.ts builds the same models).  Throughput is measured after warm-up steps, then the training workloads' minor page faults a step
(steady_faults); peak RSS comes from getrusage.
"""
import argparse
import json
import resource
import time


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


CPU_MS_PER_STEP = []
STEP_FAULTS = {}


def steady_faults(step, min_steps=20, min_seconds=2.0, max_seconds=10.0):
    """Minor page faults a step after the timed window, as bench/steady-memory.ts measures polytask's
    (PyTorch has no warm-up to wait for: it hands tensor memory to malloc and takes it back each step):
    a window of at least `min_steps` steps and `min_seconds`, at most `max_seconds`."""
    per_step = []
    t0 = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - t0
        if elapsed >= max_seconds or (len(per_step) >= min_steps and elapsed >= min_seconds):
            break
        f = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        step()
        per_step.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f)
    STEP_FAULTS.update(
        faultsPerStep=round(sum(per_step) / len(per_step)), faultsMaxPerStep=max(per_step), windowSteps=len(per_step)
    )


def train_rate(torch, model, batch, in_shape, steps, opt=None, x=None, classes=10):
    opt = opt or torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((batch,) + in_shape, generator=gen) if x is None else x
    y = torch.randint(0, classes, (batch,), generator=gen)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    dt = time.perf_counter() - t0
    # CPU time of the process a step: what a loaded machine's wall clock hides (all threads summed)
    CPU_MS_PER_STEP.append((time.process_time() - c0) * 1000 / steps)
    steady_faults(step)
    return batch * steps / dt


def text_rate(torch, steps):
    """W7: the text case's step on the WordNet source, as bench/polytask-worker.ts's textRate."""
    nn = torch.nn
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
    from zoo_reference import BertModel
    # dropout 0.1 as the text trunk's BERT trains with (Hugging Face's default), hidden and attention
    bert = BertModel(dict(vocab=8001, hidden=32, heads=2, layers=1, inter=128, max_pos=40, dropout=0.1))
    hidden = nn.Linear(32, 20)
    pos, sense = nn.Linear(20, 4), nn.Linear(20, 45)
    params = [*bert.parameters(), *hidden.parameters(), *pos.parameters(), *sense.parameters()]
    opt = torch.optim.Adam(params, lr=0.003)
    ids = torch.zeros(64, 40)
    for i in range(64):
        for j in range(8 + (i * 7) % 25):
            ids[i, j] = 1 + ((i * 40 + j) * 7919) % 7999
    y_pos = torch.arange(64) % 4
    y_sense = torch.arange(64) % 45
    ce = nn.functional.cross_entropy

    def step():
        opt.zero_grad(set_to_none=True)
        mask = (ids != 0).float()
        attend = mask.clone()
        attend[:, 0] = 1  # as TextTrunk: an empty text still attends to its first position
        tokens, _ = bert(ids.long(), attend)
        pooled = (tokens * mask.unsqueeze(2)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        h = torch.relu(hidden(pooled))
        (ce(pos(h), y_pos) + ce(sense(h), y_sense)).backward()
        opt.step()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    rate = 64 * steps / (time.perf_counter() - t0)
    steady_faults(step)
    return rate


def audio_model(torch, kind):
    """W8: M5 (channels 32) or the spectrogram CNN (channels 16, 32, 64), as models/zoo/audio.ts."""
    nn = torch.nn
    if kind == "W8-raw":
        def block1d(i, o, k, s=1):
            return [nn.Conv1d(i, o, k, stride=s), nn.BatchNorm1d(o), nn.ReLU(), nn.MaxPool1d(4)]

        class Mean(nn.Module):
            def forward(self, x):
                return x.mean(2)

        return nn.Sequential(*block1d(1, 32, 80, 16), *block1d(32, 32, 3), *block1d(32, 64, 3), *block1d(64, 64, 3),
                             Mean(), nn.Linear(64, 10))
    layers, prev = [], 1
    for w in (16, 32, 64):
        layers += [nn.Conv2d(prev, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)]
        prev = w

    class Mean2(nn.Module):
        def forward(self, x):
            return x.mean((2, 3))

    return nn.Sequential(*layers, Mean2(), nn.Dropout(0.2), nn.Linear(prev, 10))


def _schedstat():
    """[on-CPU ns, run-queue ns] summed over this process's threads, or None without schedstat."""
    import os
    try:
        run = wait = 0
        for tid in os.listdir("/proc/self/task"):
            with open("/proc/self/task/%s/schedstat" % tid) as f:
                fields = f.read().split()
            run += int(fields[0])
            wait += int(fields[1])
        return run, wait
    except OSError:
        return None


def _machine_cpu():
    """[busy seconds of all CPUs (steal excluded), steal seconds] from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (v[0] + v[1] + v[2] + v[5] + v[6]) / 100.0, v[7] / 100.0
    except OSError:
        return None


def _quantile(xs, q):
    s = sorted(xs)
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def gemm_rate(call, n, seconds):
    """The figures of bench/call-timing.ts (polytask's worker runs the same loop): a warm-up of at
    least 0.3 s and 2 calls, then each call of a window of `seconds` (at least 5 calls) timed on
    its own; GFLOP/s from the median call (the headline), the 10th/90th percentiles, the whole
    window's wall time and the process's CPU time, and what the machine did meanwhile."""
    import os
    flops = 2 * n ** 3
    w0 = time.perf_counter()
    i = 0
    while i < 2 or time.perf_counter() - w0 < 0.3:
        call()
        i += 1
    s0, m0, c0 = _schedstat(), _machine_cpu(), time.process_time()
    times = []
    t0 = t = time.perf_counter()
    while len(times) < 5 or t - t0 < seconds:
        call()
        now = time.perf_counter()
        times.append(now - t)
        t = now
    cpu = time.process_time() - c0
    s1, m1 = _schedstat(), _machine_cpu()
    wall = t - t0
    cores = os.cpu_count() or 1

    def frac(x, per=1):
        return None if x is None else round(x / wall / per, 3)

    return {
        "gflops": flops / _quantile(times, 0.5) / 1e9,
        "gflopsP10": flops / _quantile(times, 0.9) / 1e9,
        "gflopsP90": flops / _quantile(times, 0.1) / 1e9,
        "gflopsWall": flops * len(times) / wall / 1e9,
        "gflopsCpu": flops * len(times) / cpu / 1e9,
        "busyThreads": round(cpu / wall, 3),
        "calls": len(times),
        "wallSeconds": round(wall, 3),
        "runQueueFraction": frac(None if s0 is None or s1 is None else (s1[1] - s0[1]) / 1e9),
        "othersCpuFraction": frac(None if m0 is None or m1 is None else max(0.0, m1[0] - m0[0] - cpu), cores),
        "stealFraction": frac(None if m0 is None or m1 is None else m1[1] - m0[1], cores),
    }


def conv_layer_times(torch, layers, reps):
    """[forward, input gradient, weight gradient] ms per layer, best of reps calls after a warm-up."""
    F = torch.nn.functional
    conv_bwd = torch.ops.aten.convolution_backward
    res = []
    for l in layers:
        n, c, h, o, k, s, p, g = (l[f] for f in ("n", "c", "h", "o", "k", "stride", "pad", "groups"))
        x, w, b = torch.randn(n, c, h, h), torch.randn(o, c // g, k, k), torch.randn(o)
        gy = torch.randn_like(F.conv2d(x, w, b, s, p, 1, g))

        def best(f):
            f()
            m = float("inf")
            for _ in range(reps):
                t0 = time.perf_counter()
                f()
                m = min(m, time.perf_counter() - t0)
            return m * 1e3

        res.append([
            best(lambda: F.conv2d(x, w, b, s, p, 1, g)),
            best(lambda: conv_bwd(gy, x, w, [o], [s, s], [p, p], [1, 1], False, [0, 0], g, [True, False, False])),
            best(lambda: conv_bwd(gy, x, w, [o], [s, s], [p, p], [1, 1], False, [0, 0], g, [False, True, True])),
        ])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--lib", default="torch")
    ap.add_argument("--seconds", type=float, default=1.5, help="W3: the timed window (bench/call-timing.ts)")
    ap.add_argument("--layers", default="[]", help="convlayers: the layers as JSON (bench/conv-layers.ts)")
    a = ap.parse_args()
    out = {"workload": a.workload, "threads": a.threads}
    if a.lib == "numpy":
        import numpy as np
        rs = np.random.RandomState(0)
        out["threads"] = "OpenBLAS default"  # NumPy does not take --threads
        A, B = (rs.rand(a.size, a.size).astype(np.float32) for _ in range(2))
        C = np.empty((a.size, a.size), np.float32)
        out.update(gemm_rate(lambda: np.matmul(A, B, out=C), a.size, a.seconds))
    else:
        import torch
        torch.set_num_threads(a.threads)
        torch.manual_seed(0)
        nn = torch.nn
        if a.workload == "W1":
            model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
            out["samplesPerSec"] = train_rate(torch, model, 256, (784,), a.steps)
        elif a.workload == "W2":
            model = nn.Sequential(
                nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
            out["samplesPerSec"] = train_rate(torch, model, 128, (1, 28, 28), a.steps)
        elif a.workload == "W4":
            import torchvision
            model = torchvision.models.resnet18(num_classes=10)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            out["samplesPerSec"] = train_rate(torch, model, 64, (3, 32, 32), a.steps, opt)
        elif a.workload == "W5":
            import os
            import sys
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
            from zoo_reference import BertForSequenceClassification
            bert = BertForSequenceClassification(dict(vocab=30522, hidden=256, heads=4, layers=4, inter=1024, max_pos=512), 2)
            ids = (1 + (torch.arange(32 * 128) * 7919) % 30521).reshape(32, 128)
            mask = torch.ones(32, 128)
            model = lambda x: bert(x, mask)  # noqa: E731
            opt = torch.optim.AdamW(bert.parameters(), lr=1e-4, weight_decay=0.01)
            out["samplesPerSec"] = train_rate(torch, model, 32, None, a.steps, opt, x=ids, classes=2)
        elif a.workload == "convlayers":
            out["ms"] = conv_layer_times(torch, json.loads(a.layers), a.steps)
        elif a.workload == "W7":
            out["samplesPerSec"] = text_rate(torch, a.steps)
        elif a.workload in ("W8-raw", "W8-mel"):
            model = audio_model(torch, a.workload)
            opt = torch.optim.Adam(model.parameters(), lr=0.002)
            shape = (1, 16538) if a.workload == "W8-raw" else (1, 32, 128)
            out["samplesPerSec"] = train_rate(torch, model, 32, shape, a.steps, opt)
        elif a.workload == "W6":
            import torchvision
            model = torchvision.models.resnet18(num_classes=1000).eval()
            x = torch.rand(8, 3, 224, 224)
            with torch.no_grad():
                model(x)
                t0 = time.perf_counter()
                for _ in range(a.steps):
                    model(x)
                out["samplesPerSec"] = 8 * a.steps / (time.perf_counter() - t0)
        else:
            A, B, C = torch.rand(a.size, a.size), torch.rand(a.size, a.size), torch.empty(a.size, a.size)
            out.update(gemm_rate(lambda: torch.matmul(A, B, out=C), a.size, a.seconds))
    out["peakRssMb"] = peak_rss_mb()
    if CPU_MS_PER_STEP:
        out["cpuMsPerStep"] = round(CPU_MS_PER_STEP[-1], 2)
    out.update(STEP_FAULTS)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
