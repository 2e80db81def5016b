#!/usr/bin/env python3
"""Reference models for polytask's zoo (src/models/zoo/), from PyTorch and torchvision.

For each model: the reference implementation built with a fixed seed (torchvision 0.14 for ResNet,
MobileNet and ViT, with random initialisation, so nothing is downloaded; for BERT a PyTorch module
written here with Hugging Face `BertModel`'s parameter names, since `transformers` is not
packaged for Debian; for the audio CNNs PyTorch modules written here), its batch-norm statistics and
affine parameters perturbed so that evaluation is not the identity, and then:

  <name>.safetensors       its state_dict (float32; num_batches_tracked int64, as PyTorch saves it)
  <name>.io.safetensors    the input x (or ids and attention_mask), targets, and for one batch the
                           logits and cross-entropy loss in eval mode and in train mode
  <name>.grads.safetensors the eval-mode loss's gradient for every parameter, named as the parameter
  <name>.grads_train.safetensors  the same in train mode (batch statistics)

For the masked-language model (bert_mlm, Hugging Face's BertForMaskedLM names, decoder tied to the
word embeddings): <name>.io.safetensors holds ids with [MASK] (id 3) at the masked positions,
attention_mask, labels (-100 where nothing is predicted), the logits at every position and the
loss over the labelled ones; <name>.grads.safetensors every parameter's gradient of that loss.

Logits, loss and gradients are computed in float64 from the float32 weights and inputs, so they are
the exact answer that polytask's float32 result is compared with. Dropout is 0 in every golden
configuration (training-mode dropout draws masks that no other library can reproduce); the BERT
modules take `dropout` from the config only for the bench's W7 peer, which times training.
`<name>.keys.json` lists the state-dict names and shapes only (used for full-size models whose
weights are too large to write at test time: vit_b_16).

Run with Debian's python3-torch and python3-torchvision (not the pyenv python on PATH):
    /usr/bin/python3 scripts/zoo_reference.py OUT_DIR [name ...]
test/models/zoo.test.ts runs it into a temporary directory (a few seconds) and skips when
torchvision is absent.
"""
import copy
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_ref import serialize  # noqa: E402


# ---- reference modules that torchvision does not have ----

class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c['vocab'], c['hidden'], padding_idx=0)
        self.position_embeddings = nn.Embedding(c['max_pos'], c['hidden'])
        self.token_type_embeddings = nn.Embedding(2, c['hidden'])
        self.LayerNorm = nn.LayerNorm(c['hidden'], eps=1e-12)
        self.dropout = nn.Dropout(c.get('dropout', 0.0))

    def forward(self, ids, token_types):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        e = self.word_embeddings(ids) + self.token_type_embeddings(token_types) + self.position_embeddings(pos)
        return self.dropout(self.LayerNorm(e))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c['heads']
        self.query = nn.Linear(c['hidden'], c['hidden'])
        self.key = nn.Linear(c['hidden'], c['hidden'])
        self.value = nn.Linear(c['hidden'], c['hidden'])
        self.dropout = nn.Dropout(c.get('dropout', 0.0))

    def forward(self, x, ext_mask):
        n, l, h = x.shape
        split = lambda t: t.view(n, l, self.heads, h // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + ext_mask
        ctx = self.dropout(scores.softmax(-1)) @ v
        return ctx.permute(0, 2, 1, 3).reshape(n, l, h)


class BertAddNorm(nn.Module):
    def __init__(self, c, inp):
        super().__init__()
        self.dense = nn.Linear(inp, c['hidden'])
        self.LayerNorm = nn.LayerNorm(c['hidden'], eps=1e-12)
        self.dropout = nn.Dropout(c.get('dropout', 0.0))

    def forward(self, h, residual):
        return self.LayerNorm(self.dropout(self.dense(h)) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertAddNorm(c, c['hidden'])

    def forward(self, x, m):
        return self.output(self.self(x, m), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden'], c['inter'])

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertAddNorm(c, c['inter'])

    def forward(self, x, m):
        a = self.attention(x, m)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c['layers'])])

    def forward(self, x, m):
        for layer in self.layer:
            x = layer(x, m)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden'], c['hidden'])

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class BertModel(nn.Module):
    """Hugging Face BertModel's parameter names and computation (absolute positions, eps 1e-12,
    exact GELU, additive finfo.min mask)."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)

    def forward(self, ids, mask):
        ext = (1.0 - mask[:, None, None, :].to(self.pooler.dense.weight.dtype)) * torch.finfo(self.pooler.dense.weight.dtype).min
        h = self.encoder(self.embeddings(ids, torch.zeros_like(ids)), ext)
        return h, self.pooler(h)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c, num_classes):
        super().__init__()
        self.bert = BertModel(c)
        self.dropout = nn.Dropout(0.0)
        self.classifier = nn.Linear(c['hidden'], num_classes)

    def forward(self, ids, mask):
        return self.classifier(self.dropout(self.bert(ids, mask)[1]))


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden'], c['hidden'])
        self.LayerNorm = nn.LayerNorm(c['hidden'], eps=1e-12)

    def forward(self, h):
        return self.LayerNorm(F.gelu(self.dense(h)))


class BertLMPredictionHead(nn.Module):
    """Hugging Face's: the decoder's weight is the word embeddings' (tied by the caller), its bias
    is `bias` (so the state dict holds both names, as a Hugging Face checkpoint does)."""

    def __init__(self, c):
        super().__init__()
        self.transform = BertPredictionHeadTransform(c)
        self.decoder = nn.Linear(c['hidden'], c['vocab'], bias=False)
        self.bias = nn.Parameter(torch.zeros(c['vocab']))
        self.decoder.bias = self.bias

    def forward(self, h):
        return self.decoder(self.transform(h))


class BertOnlyMLMHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = BertLMPredictionHead(c)

    def forward(self, h):
        return self.predictions(h)


class BertForMaskedLM(nn.Module):
    """Hugging Face's BertForMaskedLM names, the decoder tied to the word embeddings; the encoder
    keeps its pooler (polytask's does: it is the encoder a classifier fine-tunes)."""

    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        self.cls = BertOnlyMLMHead(c)
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

    def forward(self, ids, mask):
        return self.cls(self.bert(ids, mask)[0])


class M5(nn.Module):
    """Raw-waveform CNN (Dai et al. 2017) as in PyTorch's speech-command tutorial."""

    def __init__(self, n_input=1, n_output=35, stride=16, n_channel=32):
        super().__init__()
        self.conv1 = nn.Conv1d(n_input, n_channel, kernel_size=80, stride=stride)
        self.bn1 = nn.BatchNorm1d(n_channel)
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(n_channel, n_channel, kernel_size=3)
        self.bn2 = nn.BatchNorm1d(n_channel)
        self.pool2 = nn.MaxPool1d(4)
        self.conv3 = nn.Conv1d(n_channel, 2 * n_channel, kernel_size=3)
        self.bn3 = nn.BatchNorm1d(2 * n_channel)
        self.pool3 = nn.MaxPool1d(4)
        self.conv4 = nn.Conv1d(2 * n_channel, 2 * n_channel, kernel_size=3)
        self.bn4 = nn.BatchNorm1d(2 * n_channel)
        self.pool4 = nn.MaxPool1d(4)
        self.fc1 = nn.Linear(2 * n_channel, n_output)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = self.pool3(F.relu(self.bn3(self.conv3(x))))
        x = self.pool4(F.relu(self.bn4(self.conv4(x))))
        return self.fc1(x.mean(2))


class SpectrogramCNN(nn.Module):
    def __init__(self, n_input=1, n_output=35, channels=(16, 32, 64, 128)):
        super().__init__()
        blocks, prev = [], n_input
        for w in channels:
            blocks.append(nn.Sequential(nn.Conv2d(prev, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)))
            prev = w
        self.features = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(0.0)
        self.classifier = nn.Linear(prev, n_output)

    def forward(self, x):
        return self.classifier(self.dropout(self.features(x).mean((2, 3))))


# ---- the models the tests replay; the options mirror the polytask constructor call in the test ----
# Image CNNs see 64×64 inputs, so that their last batch norm sees 2×2 positions per sample: with a
# 1×1 map and 2 samples, training-mode batch norm normalises two values to ±1 and its input gradient
# is zero in exact arithmetic, leaving only rounding residue to compare.

def vision(build, size, batch=2):
    return dict(build=build, kind='image', shape=(batch, 3, size, size))


def models():
    import torchvision.models as tvm
    from torchvision.models.vision_transformer import VisionTransformer
    return {
        'resnet18': vision(lambda: tvm.resnet18(num_classes=10), 64),
        'resnet34': vision(lambda: tvm.resnet34(num_classes=10), 64),
        'resnet50': vision(lambda: tvm.resnet50(num_classes=10), 64, batch=8),
        'mobilenet_v2': vision(lambda: tvm.mobilenet_v2(num_classes=10, width_mult=0.5, dropout=0.0), 64),
        'mobilenet_v3_small': vision(lambda: tvm.mobilenet_v3_small(num_classes=10, dropout=0.0), 64),
        'vit_small': vision(lambda: VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64,
                                                      mlp_dim=128, num_classes=10), 32),
        'vit_b_16': dict(build=lambda: tvm.vit_b_16(), kind='keys'),
        'bert': dict(build=lambda: BertForSequenceClassification(
            dict(vocab=100, hidden=32, heads=4, layers=2, inter=64, max_pos=16), 3), kind='text', shape=(3, 7)),
        'bert_mlm': dict(build=lambda: BertForMaskedLM(
            dict(vocab=50, hidden=32, heads=4, layers=2, inter=64, max_pos=16)), kind='mlm', shape=(3, 9)),
        'raw_audio_cnn': dict(build=lambda: M5(n_output=10, n_channel=8), kind='audio', shape=(2, 1, 8000)),
        'spectrogram_cnn': dict(build=lambda: SpectrogramCNN(n_output=10, channels=(8, 16, 16)), kind='image', shape=(2, 1, 24, 20)),
    }


def perturb(model, g):
    """Random batch-norm statistics and affine parameters, and a non-zero ViT head (torchvision
    zeroes it), so that the comparison exercises every term."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.num_batches_tracked.fill_(7)
            if name.endswith('heads.head') or name == 'heads.head':
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * 0.05)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.05)


def run_mlm(name, model, spec, g, out):
    """A masked-language model: ids with padding, labels -100 except at the masked positions, the
    logits at every position and the loss over the labelled ones (float64), and every parameter's
    gradient (the tied decoder's weight is the word embeddings': one gradient, under that name)."""
    with torch.no_grad():
        model.cls.predictions.bias.copy_(torch.randn(model.cls.predictions.bias.shape, generator=g) * 0.1)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with open(os.path.join(out, f'{name}.safetensors'), 'wb') as f:
        f.write(serialize(state, {'format': 'pt'}))
    n, l = spec['shape']
    vocab = model.cls.predictions.bias.shape[0]
    ids = torch.randint(4, vocab, (n, l), generator=g)
    mask = torch.ones(n, l)
    mask[1, 6:] = 0
    mask[2, 4:] = 0
    ids[mask == 0] = 0
    labels = torch.full((n, l), -100)
    chosen = (torch.rand(n, l, generator=g) < 0.3) & (mask == 1)
    chosen[0, 1] = True  # at least one per row
    labels[chosen] = ids[chosen]
    inputs = ids.clone()
    inputs[chosen] = 3  # [MASK]
    ref = model.double()
    ref.eval()
    logits = ref(inputs, mask.double())
    loss = F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    grads = {k: p.grad.detach().float() for k, p in ref.named_parameters() if p.grad is not None}
    io = {'ids': inputs.to(torch.int32), 'attention_mask': mask, 'labels': labels.to(torch.int32),
          'logits': logits.detach().float(), 'loss': loss.detach().float().reshape(1)}
    with open(os.path.join(out, f'{name}.io.safetensors'), 'wb') as f:
        f.write(serialize(io, {'format': 'pt'}))
    with open(os.path.join(out, f'{name}.grads.safetensors'), 'wb') as f:
        f.write(serialize(grads, {'format': 'pt'}))


def run(name, spec, out):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1234)
    model = spec['build']()
    if spec['kind'] == 'keys':
        keys = {k: list(v.shape) for k, v in model.state_dict().items()}
        with open(os.path.join(out, f'{name}.keys.json'), 'w') as f:
            json.dump(keys, f)
        return
    if spec['kind'] == 'mlm':
        return run_mlm(name, model, spec, g, out)
    perturb(model, g)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with open(os.path.join(out, f'{name}.safetensors'), 'wb') as f:
        f.write(serialize(state, {'format': 'pt'}))
    io = {}
    if spec['kind'] == 'text':
        n, l = spec['shape']
        ids = torch.randint(1, 100, (n, l), generator=g)
        mask = torch.ones(n, l)
        mask[1, 5:] = 0  # padded rows exercise the attention mask
        mask[2, 3:] = 0
        ids[mask == 0] = 0
        args64 = (ids, mask.double())
        io['ids'] = ids.to(torch.int32)
        io['attention_mask'] = mask
        num_classes = 3
    else:
        x = torch.randn(spec['shape'], generator=g)
        args64 = (x.double(),)
        io['x'] = x
        num_classes = 10
    targets = torch.randint(0, num_classes, (args64[0].shape[0],), generator=g)
    io['targets'] = targets.to(torch.int32)
    ref32 = copy.deepcopy(model)
    ref = model.double()

    def step(m, args, train):
        m.train(train)
        m.zero_grad()
        logits = m(*args)
        loss = F.cross_entropy(logits, targets)
        loss.backward()
        return logits.detach(), loss.detach(), {k: p.grad.detach().clone() for k, p in m.named_parameters() if p.grad is not None}

    # eval mode (frozen batch-norm statistics, as a fine-tuning step that keeps them): logits and gradients
    logits, loss, grads = step(ref, args64, False)
    io['logits_eval'] = logits.float()
    io['loss_eval'] = loss.float().reshape(1)
    # train mode (batch statistics): logits, loss and gradients, and how far PyTorch's own float32
    # gradients are from these float64 ones (batch norm over few values makes this step
    # ill-conditioned in deep networks: the test bounds polytask's error by a multiple of PyTorch's)
    logits, loss, grads_train = step(ref, args64, True)
    io['logits_train'] = logits.float()
    io['loss_train'] = loss.float().reshape(1)
    # at one thread and at two: the same float32 sums in another order move this error by 2x (ResNet-50:
    # 6.8% and 14.7%), and polytask's tests run at either
    args32 = tuple(a.float() if a.is_floating_point() else a for a in args64)
    largest = max(v.abs().max().item() for v in grads_train.values())
    errors = []
    threads_before = torch.get_num_threads()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        _, _, grads32 = step(ref32, args32, True)
        errors.append(max((grads32[k].double() - v).abs().max().item() / max(v.abs().max().item(), 1e-3 * largest)
                          for k, v in grads_train.items()))
    torch.set_num_threads(threads_before)
    io['torch_f32_train_grad_error'] = torch.tensor([max(errors)])
    with open(os.path.join(out, f'{name}.io.safetensors'), 'wb') as f:
        f.write(serialize(io, {'format': 'pt'}))
    for suffix, gs in (('grads', grads), ('grads_train', grads_train)):
        with open(os.path.join(out, f'{name}.{suffix}.safetensors'), 'wb') as f:
            f.write(serialize({k: v.float() for k, v in gs.items()}, {'format': 'pt'}))


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: zoo_reference.py OUT_DIR [name ...]')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    specs = models()
    names = sys.argv[2:] or list(specs)
    torch.set_num_threads(1)
    for name in names:
        if name not in specs:
            sys.exit(f'unknown model {name}; known: {", ".join(specs)}')
        run(name, specs[name], out)
    print(f'wrote {len(names)} reference models to {out}')


if __name__ == '__main__':
    main()
