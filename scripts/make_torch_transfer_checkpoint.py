"""Writes a PyTorch checkpoint of polytask's 'cnn' architecture (small config, with batch norm) as
safetensors, and the outputs PyTorch computes with it, for the transfer test that loads it into a
polytask model by name (features.* -> trunk.*, classifier.* -> heads.digit.*) and compares.

    test/fixtures/transfer/torch_cnn.safetensors       PyTorch's state dict (BN buffers included)
    test/fixtures/transfer/torch_cnn_expected.json     config, key mapping, input, logits (eval mode)

The model is trained for a few steps on random data first, so that the weights and the batch-norm
running statistics are not their initial values.

Run with Debian's python3 (the one that has torch):
    /usr/bin/python3 scripts/make_torch_transfer_checkpoint.py
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_ref import serialize  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "transfer")

# polytask's cnn config for the same layers: conv-BN-ReLU-pool twice, flatten, linear-ReLU.
CONFIG = {"inChannels": 1, "height": 28, "width": 28, "channels": [4, 8], "hidden": 16, "batchNorm": True}
CLASSES = 10


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(8 * 7 * 7, 16), nn.ReLU(),
        )
        self.classifier = nn.Linear(16, CLASSES)

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    net.train()
    for _ in range(5):
        x = torch.rand(16, 1, 28, 28)
        y = torch.randint(0, CLASSES, (16,))
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    net.eval()
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        logits = net(x)
    os.makedirs(OUT, exist_ok=True)
    state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    with open(os.path.join(OUT, "torch_cnn.safetensors"), "wb") as f:
        f.write(serialize(state, {"format": "pt", "source": "make_torch_transfer_checkpoint.py"}))
    expected = {
        "arch": "cnn",
        "config": CONFIG,
        "prefixes": {"features.": "trunk.", "classifier.": "heads.digit."},
        "task": "digit",
        "classes": CLASSES,
        "inputShape": list(x.shape),
        "input": x.reshape(-1).double().tolist(),
        "logits": logits.reshape(-1).double().tolist(),
    }
    with open(os.path.join(OUT, "torch_cnn_expected.json"), "w") as f:
        json.dump(expected, f)
        f.write("\n")
    print("wrote torch_cnn.safetensors and torch_cnn_expected.json to", OUT)


if __name__ == "__main__":
    main()
