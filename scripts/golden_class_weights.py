#!/usr/bin/env python3
"""Golden values for 'balanced' class weights in the cross-entropy, from PyTorch.

Writes test/fixtures/class_weights_golden.json for test/train/class-weights.test.ts: an imbalanced
set of labels (12, 6 and 2 examples of three classes, and a class with none), the 'balanced'
weights n / (k * n_c) as scikit-learn's compute_class_weight('balanced') defines them (computed
here with NumPy: scikit-learn is not installed on these machines; a class without examples gets
0), and PyTorch's weighted cross-entropy (mean and sum) of seeded logits with its gradient.

Run with Debian's python3-torch (1.13):
    /usr/bin/python3 scripts/golden_class_weights.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'class_weights_golden.json')


def tensor_json(t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return {'shape': list(a.shape), 'data': [float(v) for v in a.reshape(-1)]}


def main():
    rs = np.random.RandomState(12)
    classes = 4
    labels = np.array([0] * 12 + [1] * 6 + [2] * 2, dtype=np.int64)
    rs.shuffle(labels)
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    weights = np.where(counts == 0, 0.0, len(labels) / (classes * np.maximum(counts, 1)))
    logits = rs.normal(size=(len(labels), classes)).astype(np.float32)
    cases = []
    for reduction in ['mean', 'sum']:
        x = torch.tensor(logits, requires_grad=True)
        w = torch.tensor(weights, dtype=torch.float32)
        loss = F.cross_entropy(x, torch.tensor(labels), weight=w, reduction=reduction)
        loss.backward()
        cases.append({'reduction': reduction, 'loss': float(loss), 'grad': tensor_json(x.grad)})
    doc = {
        'classes': classes,
        'labels': [int(v) for v in labels],
        'weights': [float(v) for v in weights],
        'logits': tensor_json(logits),
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
