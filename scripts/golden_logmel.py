#!/usr/bin/env python3
"""Reference log-mel spectrogram and MFCCs of a fixed signal, in numpy, for test/data/audio-features.test.ts.

Writes test/fixtures/logmel_golden.json. The conventions are the ones src/data/audio/features.ts
documents (meyda's): frames of `frame` samples every `hop`, no padding; a symmetric Hann window
0.5 - 0.5 cos(2 pi n / (N - 1)); the FFT's power |X_k|^2 for k < N/2 (no Nyquist bin); a triangular
mel filterbank on the HTK scale 1125 ln(1 + f / 700) from 0 Hz to Nyquist, with edges at the FFT bins
floor((N + 1) f / sr); ln(1 + energy); MFCC = 2 * sum_n logmel_n cos(pi / M (n + 0.5) k) (DCT-II,
scale 2), the first `mfccs` of them. Everything is written out here rather than taken from a library,
so the test compares meyda (and the differentiable front end) against an independent implementation.

Run: /usr/bin/python3 scripts/golden_logmel.py
"""
import json
import os

import numpy as np

SR, FRAME, HOP, MELS, MFCCS = 8000, 256, 128, 32, 13
N = 1024
t = np.arange(N) / SR
# two tones and a chirp: energy in several bands, nothing random
signal = (
    0.5 * np.sin(2 * np.pi * 440 * t)
    + 0.3 * np.sin(2 * np.pi * 1900 * t + 0.3)
    + 0.2 * np.sin(2 * np.pi * (200 + 1500 * t) * t)
).astype(np.float32)


def mel(f):
    return 1125.0 * np.log(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (np.exp(m / 1125.0) - 1.0)


def filterbank():
    # float32 steps, as meyda computes them in Float32Arrays
    top = mel(SR / 2)
    step = np.float32(top / (MELS + 1))
    mels = np.array([np.float32(i * step) for i in range(MELS + 2)], dtype=np.float32)
    hz = mel_to_hz(mels.astype(np.float64)).astype(np.float32)
    bins = np.floor((FRAME + 1) * hz.astype(np.float64) / SR).astype(int)
    fb = np.zeros((MELS, FRAME // 2 + 1))
    for j in range(MELS):
        lo, mid, hi = bins[j], bins[j + 1], bins[j + 2]
        for i in range(lo, mid):
            fb[j, i] = (i - lo) / (mid - lo)
        for i in range(mid, hi):
            fb[j, i] = (hi - i) / (hi - mid)
    return fb[:, : FRAME // 2]


window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / (FRAME - 1))
fb = filterbank()
frames = 1 + (N - FRAME) // HOP
logmel = np.zeros((MELS, frames))
mfcc = np.zeros((MFCCS, frames))
k = np.arange(MELS)
dct = np.cos(np.pi / MELS * (k[None, :] + 0.5) * np.arange(MFCCS)[:, None])
for f in range(frames):
    x = signal[f * HOP : f * HOP + FRAME].astype(np.float64) * window
    power = np.abs(np.fft.fft(x)[: FRAME // 2]) ** 2
    logmel[:, f] = np.log(1.0 + fb @ power)
    mfcc[:, f] = 2.0 * dct @ logmel[:, f]

out = {
    "generator": "scripts/golden_logmel.py (numpy %s)" % np.__version__,
    "sampleRate": SR,
    "frame": FRAME,
    "hop": HOP,
    "mels": MELS,
    "mfccs": MFCCS,
    "signal": [float(v) for v in signal],
    "filterbank": fb.tolist(),
    "logmel": logmel.tolist(),
    "mfcc": mfcc.tolist(),
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "logmel_golden.json")
with open(path, "w") as fh:
    json.dump(out, fh)
print("wrote", os.path.normpath(path), "frames", frames)
