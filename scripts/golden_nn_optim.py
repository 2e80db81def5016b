#!/usr/bin/env python3
"""Golden values for polytask's nn and optim packages, from PyTorch.

Writes, for test/nn/golden.test.ts and test/optim/*.test.ts:
  losses      each loss's value and its gradient with respect to the input (for reduction 'none',
              the gradient of sum(loss * R), R stored as grad_out), including label smoothing,
              ignore_index, class weights, spatial targets, pos_weight, huber, and the masked /
              missing-label means polytask defines (computed here from reduction='none').
  optimizers  parameters after each of 5 steps of SGD (momentum, dampening, nesterov, weight
              decay), Adam (L2) and AdamW with given gradients, one of which is missing (None) at a
              step, in single and per-group settings.
  schedulers  the lr (and momentum) of every group after construction and after each of 20 steps.
  models      small Sequential models: PyTorch state dict, input, train-mode output, parameter
              gradients of sum(out * R), running statistics after the batch, eval-mode output.
  training    5 Adam steps of a linear classifier on cross-entropy: losses and final weights.

Tensors are {"shape": [...], "data": [...]} with NaN written as null. Inputs come from a NumPy
stream seeded by each case's name, so adding a case moves no other.

Run with Debian's python3-torch (1.13), not the pyenv python on PATH:
    /usr/bin/python3 scripts/golden_nn_optim.py
which writes test/fixtures/nn_optim_golden.json (deterministic).
"""
import json
import math
import os
import warnings
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'nn_optim_golden.json')


def rs(name):
    return np.random.RandomState(zlib.crc32(name.encode()))


def enc(t):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    flat = [None if (isinstance(v, float) and math.isnan(v)) else v for v in a.reshape(-1).tolist()]
    return {'shape': list(a.shape), 'data': flat}


def f32(a):
    return torch.tensor(np.asarray(a, dtype=np.float32))


def i32(a):
    return torch.tensor(np.asarray(a, dtype=np.int64))


# ---------------------------------------------------------------- losses

def loss_case(name, fn, params, inputs, loss_fn, grad_wrt='input', grad_out=None):
    x = inputs[grad_wrt].clone().requires_grad_(True)
    args = dict(inputs)
    args[grad_wrt] = x
    out = loss_fn(**args)
    if grad_out is not None:
        (out * grad_out).sum().backward()
    else:
        out.backward()
    case = {
        'name': name, 'fn': fn, 'params': params,
        'inputs': {k: enc(v) for k, v in inputs.items()},
        'loss': enc(out), 'grad': enc(x.grad),
    }
    if grad_out is not None:
        case['grad_out'] = enc(grad_out)
    return case


def masked_mean(per_elem, present):
    """Mean over present entries: sum(l * m) / sum(m), the definition polytask uses."""
    return (per_elem * present).sum() / present.sum()


def losses():
    cases = []

    g = rs('ce_basic')
    logits, t = f32(g.standard_normal((6, 5))), i32(g.randint(0, 5, 6))
    for red in ['mean', 'sum']:
        cases.append(loss_case(f'ce_{red}', 'crossEntropy', {'reduction': red}, {'input': logits, 'target': t},
                               lambda input, target, red=red: F.cross_entropy(input, target, reduction=red)))
    r = f32(g.standard_normal(6))
    cases.append(loss_case('ce_none', 'crossEntropy', {'reduction': 'none'}, {'input': logits, 'target': t},
                           lambda input, target: F.cross_entropy(input, target, reduction='none'), grad_out=r))
    cases.append(loss_case('ce_smoothing', 'crossEntropy', {'labelSmoothing': 0.1}, {'input': logits, 'target': t},
                           lambda input, target: F.cross_entropy(input, target, label_smoothing=0.1)))

    g = rs('ce_ignore')
    logits = f32(g.standard_normal((7, 4)) * 2)
    t = i32([0, 3, -1, 2, 1, -1, 3])
    cases.append(loss_case('ce_ignore', 'crossEntropy', {'ignoreIndex': -1}, {'input': logits, 'target': t},
                           lambda input, target: F.cross_entropy(input, target, ignore_index=-1)))
    cases.append(loss_case('ce_ignore_smoothing', 'crossEntropy', {'ignoreIndex': -1, 'labelSmoothing': 0.2},
                           {'input': logits, 'target': t},
                           lambda input, target: F.cross_entropy(input, target, ignore_index=-1, label_smoothing=0.2)))
    w = f32([0.5, 2.0, 1.0, 3.0])
    cases.append(loss_case('ce_weight', 'crossEntropy', {'ignoreIndex': -1}, {'input': logits, 'target': t, 'weight': w},
                           lambda input, target, weight: F.cross_entropy(input, target, weight=weight, ignore_index=-1)))
    cases.append(loss_case('ce_weight_smoothing', 'crossEntropy', {'ignoreIndex': -1, 'labelSmoothing': 0.15},
                           {'input': logits, 'target': t, 'weight': w},
                           lambda input, target, weight: F.cross_entropy(input, target, weight=weight, ignore_index=-1,
                                                                         label_smoothing=0.15)))
    cases.append(loss_case('ce_weight_smoothing_sum', 'crossEntropy', {'ignoreIndex': -1, 'labelSmoothing': 0.15, 'reduction': 'sum'},
                           {'input': logits, 'target': t, 'weight': w},
                           lambda input, target, weight: F.cross_entropy(input, target, weight=weight, ignore_index=-1,
                                                                         label_smoothing=0.15, reduction='sum')))

    g = rs('ce_spatial')
    logits, t = f32(g.standard_normal((2, 4, 3, 3))), i32(g.randint(0, 4, (2, 3, 3)))
    cases.append(loss_case('ce_spatial', 'crossEntropy', {'labelSmoothing': 0.05}, {'input': logits, 'target': t},
                           lambda input, target: F.cross_entropy(input, target, label_smoothing=0.05)))

    g = rs('ce_mask')
    logits, t = f32(g.standard_normal((6, 3))), i32(g.randint(0, 3, 6))
    mask = f32([1, 0, 1, 1, 0, 1])
    cases.append(loss_case('ce_mask', 'crossEntropy', {}, {'input': logits, 'target': t, 'mask': mask},
                           lambda input, target, mask: masked_mean(F.cross_entropy(input, target, reduction='none'), mask)))

    g = rs('bce')
    x = g.standard_normal((4, 3)).astype(np.float32) * 3
    x[0, 0], x[1, 1], x[2, 2], x[3, 0] = 0.0, 30.0, -30.0, -15.0
    x = f32(x)
    y = f32(g.uniform(0, 1, (4, 3)))
    y[0, 1], y[3, 0] = 1.0, 0.0
    cases.append(loss_case('bce', 'binaryCrossEntropyWithLogits', {}, {'input': x, 'target': y},
                           lambda input, target: F.binary_cross_entropy_with_logits(input, target)))
    pw = f32([0.5, 2.0, 4.0])
    cases.append(loss_case('bce_pos_weight', 'binaryCrossEntropyWithLogits', {}, {'input': x, 'target': y, 'pos_weight': pw},
                           lambda input, target, pos_weight: F.binary_cross_entropy_with_logits(input, target, pos_weight=pos_weight)))
    r = f32(g.standard_normal((4, 3)))
    cases.append(loss_case('bce_none', 'binaryCrossEntropyWithLogits', {'reduction': 'none'}, {'input': x, 'target': y},
                           lambda input, target: F.binary_cross_entropy_with_logits(input, target, reduction='none'), grad_out=r))
    # missing labels: NaN targets; PyTorch sees them replaced by 0 and masked out of the mean
    y_nan = y.clone()
    y_nan[0, 2] = float('nan')
    y_nan[2, 0] = float('nan')
    y_nan[3, 1] = float('nan')
    present = (~torch.isnan(y_nan)).float()
    y_filled = torch.nan_to_num(y_nan, nan=0.0)
    x_grad = x.clone().requires_grad_(True)
    out = masked_mean(F.binary_cross_entropy_with_logits(x_grad, y_filled, pos_weight=pw, reduction='none'), present)
    out.backward()
    cases.append({'name': 'bce_missing_pos_weight', 'fn': 'binaryCrossEntropyWithLogits', 'params': {},
                  'inputs': {'input': enc(x), 'target': enc(y_nan), 'pos_weight': enc(pw)},
                  'loss': enc(out), 'grad': enc(x_grad.grad)})

    g = rs('regression')
    pred = f32(g.standard_normal((5, 2)))
    target = f32(g.standard_normal((5, 2)))
    cases.append(loss_case('mse', 'mse', {}, {'input': pred, 'target': target}, lambda input, target: F.mse_loss(input, target)))
    cases.append(loss_case('l1', 'l1', {}, {'input': pred, 'target': target}, lambda input, target: F.l1_loss(input, target)))
    for delta in [1.0, 0.5]:
        cases.append(loss_case(f'huber_{delta}', 'huber', {'delta': delta}, {'input': pred, 'target': target},
                               lambda input, target, delta=delta: F.huber_loss(input, target, delta=delta)))
    cases.append(loss_case('huber_sum', 'huber', {'delta': 0.5, 'reduction': 'sum'}, {'input': pred, 'target': target},
                           lambda input, target: F.huber_loss(input, target, delta=0.5, reduction='sum')))
    t_nan = target.clone()
    t_nan[1, 0] = float('nan')
    t_nan[4, 1] = float('nan')
    present = (~torch.isnan(t_nan)).float()
    for fn, tf in [('mse', F.mse_loss), ('l1', F.l1_loss), ('huber', F.huber_loss)]:
        p_grad = pred.clone().requires_grad_(True)
        out = masked_mean(tf(p_grad, torch.nan_to_num(t_nan, nan=0.0), reduction='none'), present)
        out.backward()
        cases.append({'name': f'{fn}_missing', 'fn': fn, 'params': {}, 'inputs': {'input': enc(pred), 'target': enc(t_nan)},
                      'loss': enc(out), 'grad': enc(p_grad.grad)})
    return cases


# ---------------------------------------------------------------- optimizers

STEPS = 5


def optimizer_case(name, kind, groups_spec, options):
    """groups_spec: list of (param indices, per-group options); options: constructor keywords (torch names)."""
    g = rs('optim_' + name)
    shapes = [(3, 4), (4,)]
    init = [g.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[g.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(STEPS)]
    missing = (2, 1)  # param 1 has no gradient at step 2
    params = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    torch_groups = [dict(params=[params[i] for i in idx], **opts) for idx, opts in groups_spec]
    cls = {'sgd': torch.optim.SGD, 'adam': torch.optim.Adam, 'adamw': torch.optim.AdamW}[kind]
    opt = cls(torch_groups, **options)
    traj = []
    for s in range(STEPS):
        for i, p in enumerate(params):
            p.grad = None if (s, i) == missing else torch.tensor(grads[s][i])
        opt.step()
        traj.append([enc(p) for p in params])
    return {
        'name': name, 'kind': kind, 'groups': [{'params': idx, 'options': camel(opts)} for idx, opts in groups_spec],
        'options': camel(options), 'init': [enc(a) for a in init],
        'grads': [[None if (s, i) == missing else enc(grads[s][i]) for i in range(len(shapes))] for s in range(STEPS)],
        'trajectory': traj,
    }


def camel(opts):
    names = {'weight_decay': 'weightDecay'}
    return {names.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}


def optimizers():
    one = [([0, 1], {})]
    return [
        optimizer_case('sgd_plain', 'sgd', one, {'lr': 0.1}),
        optimizer_case('sgd_momentum', 'sgd', one, {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1, 'weight_decay': 0.01}),
        optimizer_case('sgd_nesterov', 'sgd', one, {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.05}),
        optimizer_case('sgd_groups', 'sgd', [([0], {'lr': 0.2}), ([1], {'weight_decay': 0.1, 'momentum': 0.5})],
                       {'lr': 0.05, 'momentum': 0.9}),
        optimizer_case('adam', 'adam', one, {'lr': 0.01}),
        optimizer_case('adam_l2', 'adam', one, {'lr': 0.01, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1}),
        optimizer_case('adamw', 'adamw', one, {'lr': 0.01, 'weight_decay': 0.1}),
        optimizer_case('adamw_groups', 'adamw', [([0], {'lr': 0.02, 'weight_decay': 0.0}), ([1], {'weight_decay': 0.3})],
                       {'lr': 0.01, 'betas': (0.85, 0.995)}),
    ]


# ---------------------------------------------------------------- schedulers

SCHED_STEPS = 20


def sched_case(name, kind, options, make_sched, lrs=(0.1, 0.01), opt_kind='sgd', momentum=None):
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    groups = [{'params': [p], 'lr': lr} for p, lr in zip(params, lrs)]
    opt = torch.optim.SGD(groups, lr=lrs[0], momentum=0.9) if opt_kind == 'sgd' else torch.optim.Adam(groups, lr=lrs[0])
    sched = make_sched(opt)
    seq = [[pg['lr'] for pg in opt.param_groups]]
    mom = [[pg['momentum'] if opt_kind == 'sgd' else pg['betas'][0] for pg in opt.param_groups]]
    for _ in range(SCHED_STEPS):
        opt.step()
        sched.step()
        seq.append([pg['lr'] for pg in opt.param_groups])
        mom.append([pg['momentum'] if opt_kind == 'sgd' else pg['betas'][0] for pg in opt.param_groups])
    case = {'name': name, 'kind': kind, 'options': options, 'base_lrs': list(lrs), 'optimizer': opt_kind, 'lrs': seq}
    if momentum:
        case['momentum'] = mom
    return case


def schedulers():
    S = torch.optim.lr_scheduler
    # SequentialLR steps its second scheduler with an explicit epoch at the milestone, which warns
    warnings.filterwarnings('ignore', message='The epoch parameter')
    return [
        sched_case('step', 'StepLR', {'stepSize': 5, 'gamma': 0.5}, lambda o: S.StepLR(o, step_size=5, gamma=0.5)),
        sched_case('cosine', 'CosineAnnealingLR', {'tMax': 10, 'etaMin': 0.001},
                   lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
        sched_case('warmup', 'LinearWarmup', {'warmupSteps': 5, 'startFactor': 0.25},
                   lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=5)),
        sched_case('warmup_cosine', 'LinearWarmup+CosineAnnealingLR',
                   {'warmupSteps': 5, 'startFactor': 0.1, 'tMax': 15, 'etaMin': 0.001},
                   lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                                S.CosineAnnealingLR(o, T_max=15, eta_min=0.001)], milestones=[5])),
        sched_case('lambda', 'LambdaLR', {'gamma': 0.9}, lambda o: S.LambdaLR(o, lambda e: 0.9 ** e)),
        sched_case('onecycle', 'OneCycleLR', {'maxLr': [0.1, 0.05], 'totalSteps': 20},
                   lambda o: S.OneCycleLR(o, max_lr=[0.1, 0.05], total_steps=20), momentum=True),
        sched_case('onecycle_three_linear', 'OneCycleLR',
                   {'maxLr': 0.2, 'totalSteps': 20, 'threePhase': True, 'annealStrategy': 'linear', 'pctStart': 0.25,
                    'divFactor': 10, 'finalDivFactor': 100},
                   lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=20, three_phase=True, anneal_strategy='linear',
                                          pct_start=0.25, div_factor=10, final_div_factor=100),
                   opt_kind='adam', momentum=True),
    ]


# ---------------------------------------------------------------- models

def model_case(name, model, x):
    g = rs('model_' + name)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(g.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
    sd = {k: enc(v) for k, v in model.state_dict().items()}
    model.train()
    out = model(x)
    r = f32(g.standard_normal(tuple(out.shape)))
    (out * r).sum().backward()
    grads = {k: enc(p.grad) for k, p in model.named_parameters()}
    after = {k: enc(v) for k, v in model.state_dict().items()}
    model.eval()
    with torch.no_grad():
        out_eval = model(x)
    return {'name': name, 'state_dict': sd, 'input': enc(x), 'output_train': enc(out), 'grad_out': enc(r),
            'grads': grads, 'state_dict_after': after, 'output_eval': enc(out_eval)}


def models():
    torch.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(16, 3))
    x = f32(rs('cnn_input').standard_normal((3, 2, 4, 4)))
    mlp = nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 4), nn.BatchNorm1d(4, momentum=None),
                        nn.Tanh(), nn.Linear(4, 2, bias=False))
    x2 = f32(rs('mlp_input').standard_normal((4, 5)))
    return [model_case('cnn', cnn, x), model_case('mlp', mlp, x2)]


def training():
    g = rs('training')
    w = g.standard_normal((3, 4)).astype(np.float32) * 0.3
    b = g.standard_normal(3).astype(np.float32) * 0.1
    x = f32(g.standard_normal((8, 4)))
    y = i32(g.randint(0, 3, 8))
    model = nn.Linear(4, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w))
        model.bias.copy_(torch.tensor(b))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {'weight': enc(w), 'bias': enc(b), 'x': enc(x), 'y': enc(y), 'lr': 0.05, 'labelSmoothing': 0.1,
            'losses': losses, 'final': {k: enc(v) for k, v in model.state_dict().items()}}


def main():
    data = {'torch_version': torch.__version__, 'losses': losses(), 'optimizers': optimizers(),
            'schedulers': schedulers(), 'models': models(), 'training': training()}
    with open(OUT, 'w') as f:
        json.dump(data, f, allow_nan=False, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
