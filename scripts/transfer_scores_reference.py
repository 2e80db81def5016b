"""Reference values of the transferability scores (LogME, LEEP, NCE, H-score) on small random
cases, computed with NumPy along a different path than polytask's (LogME from the SVD of F rather
than an eigendecomposition of F^T F or F F^T), for test/transfer/transferability.test.ts.

    test/fixtures/transfer/scores_reference.json

Run with a python3 that has NumPy:
    python3 scripts/transfer_scores_reference.py
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "transfer", "scores_reference.json")


def logme(f, y):
    """Mean over classes of the per-example log maximum evidence (You et al. 2021, eq. 2 and Alg. 1)."""
    n, d = f.shape
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    sigma = s ** 2
    out = []
    for c in np.unique(y):
        t = (y == c).astype(np.float64)
        z = s * (u.T @ t)  # projections of F^T t on the right singular vectors
        alpha, beta = 1.0, 1.0
        for _ in range(1000):
            m = beta * z / (alpha + beta * sigma)
            res = np.sum((u @ (s * m) - t) ** 2)
            gamma = np.sum(beta * sigma / (alpha + beta * sigma))
            lam = alpha / beta
            alpha, beta = gamma / np.sum(m ** 2), (n - gamma) / res
            if abs(alpha / beta - lam) / lam < 1e-12:
                break
        m = beta * z / (alpha + beta * sigma)
        res = np.sum((u @ (s * m) - t) ** 2)
        logdet = np.sum(np.log(alpha + beta * sigma)) + (d - len(sigma)) * np.log(alpha)
        ev = (n / 2 * np.log(beta) + d / 2 * np.log(alpha) - n / 2 * np.log(2 * np.pi)
              - beta / 2 * res - alpha / 2 * np.sum(m ** 2) - logdet / 2)
        out.append(ev / n)
    return float(np.mean(out))


def leep(p, y):
    n, _ = p.shape
    k = int(y.max()) + 1
    joint = np.zeros((k, p.shape[1]))
    for i in range(n):
        joint[y[i]] += p[i] / n
    cond = joint / joint.sum(axis=0, keepdims=True)
    return float(np.mean(np.log(np.sum(cond[y] * p, axis=1))))


def nce(p, y):
    z = p.argmax(axis=1)
    n = len(y)
    total = 0.0
    for a in np.unique(y):
        for b in np.unique(z):
            c = np.sum((y == a) & (z == b))
            if c > 0:
                total += c / n * np.log(c / np.sum(z == b))
    return float(total)


def hscore(f, y, cutoff=1e-10):
    f = f.astype(np.float64)
    cov_f = np.cov(f, rowvar=False, bias=True)
    g = np.zeros_like(f)
    for c in np.unique(y):
        g[y == c] = f[y == c].mean(axis=0)
    cov_g = np.cov(g, rowvar=False, bias=True)
    return float(np.trace(np.linalg.pinv(cov_f, rcond=cutoff, hermitian=True) @ cov_g))


def case(rng, n, d, k, z_classes, name):
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)  # every class present
    means = rng.normal(0, 1, (k, d))
    f = (means[y] + rng.normal(0, 1.5, (n, d))).astype(np.float32)
    logits = rng.normal(0, 1, (n, z_classes)) + 2 * np.eye(z_classes)[y % z_classes]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p = p.astype(np.float32)
    f64, p64 = f.astype(np.float64), p.astype(np.float64)
    return {
        "name": name, "n": n, "d": d, "zClasses": z_classes,
        "features": f64.reshape(-1).tolist(), "labels": y.tolist(), "probs": p64.reshape(-1).tolist(),
        "logme": logme(f64, y), "leep": leep(p64, y), "nce": nce(p64, y), "hScore": hscore(f64, y),
    }


def main():
    rng = np.random.default_rng(0)
    cases = [case(rng, 40, 6, 3, 4, "tall"), case(rng, 8, 12, 3, 3, "wide")]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"cases": cases}, f)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
