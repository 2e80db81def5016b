#!/usr/bin/env python3
"""Golden values for polytask's tensor ops, from PyTorch.

For every case: inputs drawn from a seed fixed per case, the op's forward output, and the gradients
of L = sum(out * R) with respect to every float input (R is a fixed random tensor of the output's
shape, stored too). Most cases run in float32, as polytask does; cases with dtype "float64" run the
same float32 inputs through PyTorch in double, so polytask is also compared with the exact answer
rather than only with another float32 summation order. batchNorm cases also store the running
statistics after the update. test/tensor/golden.test.ts replays each case by op name and params.

Run with Debian's python3-torch (1.13), not the pyenv python on PATH:
    /usr/bin/python3 scripts/golden_ops.py
which writes test/fixtures/ops_golden.json (deterministic: running it again gives the same file).
"""
import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'ops_golden.json')


class Gen:
    """Inputs for one case, from a stream seeded by the case name (adding a case moves no other)."""

    def __init__(self, name):
        self.rs = np.random.RandomState(zlib.crc32(name.encode()))

    def normal(self, *shape, scale=1.0):
        return (self.rs.standard_normal(shape) * scale).astype(np.float32)

    def uniform(self, lo, hi, *shape):
        return self.rs.uniform(lo, hi, shape).astype(np.float32)

    def away(self, kinks, *shape, gap=0.1, spread=2.0):
        """Uniform in [-spread, spread), at least gap from each kink: no finite step crosses one."""
        v = self.rs.uniform(-spread, spread, shape)
        for _ in range(100):
            bad = np.zeros(shape, dtype=bool)
            for k in kinks:
                bad |= np.abs(v - k) < gap
            if not bad.any():
                break
            v[bad] = self.rs.uniform(-spread, spread, int(bad.sum()))
        return v.astype(np.float32)

    def distinct(self, *shape, gap=0.05):
        """Values at least ~gap apart (no ties for max, min, maxPool)."""
        n = int(np.prod(shape))
        grid = (self.rs.permutation(n) - (n - 1) / 2) * gap + self.rs.uniform(-gap / 8, gap / 8, n)
        return grid.reshape(shape).astype(np.float32)

    def ints(self, n, *shape):
        return self.rs.randint(0, n, shape).astype(np.int32)


CASES = []


def case(name, op, params, inputs, fn, dtype='float32', state=()):
    """inputs: list of (name, ndarray, requires_grad); fn(tensors by name, params) -> output tensor."""
    CASES.append(dict(name=name, op=op, params=params, inputs=inputs, fn=fn, dtype=dtype, state=state))


# ---- op implementations in torch, keyed like polytask's ----

def binary(f):
    def run(t, p):
        return f(t['a'], t['b'] if 'b' in t else p['scalar'])
    return run


BINARY = {
    'add': lambda a, b: a + b,
    'sub': lambda a, b: a - b,
    'mul': lambda a, b: a * b,
    'div': lambda a, b: a / b,
    'pow': lambda a, b: torch.pow(a, b),
    'maximum': torch.maximum,
    'minimum': torch.minimum,
}
UNARY = {
    'neg': torch.neg, 'exp': torch.exp, 'log': torch.log, 'sqrt': torch.sqrt, 'abs': torch.abs,
    'square': torch.square, 'reciprocal': torch.reciprocal, 'relu': F.relu, 'sigmoid': torch.sigmoid,
    'tanh': torch.tanh, 'gelu': F.gelu, 'softplus': F.softplus,
    'silu': F.silu, 'relu6': F.relu6, 'hardsigmoid': F.hardsigmoid, 'hardswish': F.hardswish,
}


def dims(p, x):
    axes = p['axes']
    return tuple(range(x.dim())) if axes is None else tuple(axes)


def reduce_fn(kind):
    def run(t, p):
        x = t['x']
        d = dims(p, x)
        if kind == 'sum':
            return x.sum(dim=d, keepdim=p['keepDim'])
        if kind == 'mean':
            return x.mean(dim=d, keepdim=p['keepDim'])
        if kind == 'max':
            return torch.amax(x, dim=d, keepdim=p['keepDim'])
        if kind == 'min':
            return torch.amin(x, dim=d, keepdim=p['keepDim'])
        return torch.logsumexp(x, dim=d, keepdim=p['keepDim'])
    return run


def slice_fn(t, p):
    x = t['x']
    n = x.shape[p['axis']]
    norm = lambda v: min(max(v + n if v < 0 else v, 0), n)
    s = norm(p['start'])
    e = max(norm(n if p['end'] is None else p['end']), s)
    return torch.narrow(x, p['axis'], s, e - s)


def batch_norm(t, p):
    return F.batch_norm(t['x'], t.get('runningMean'), t.get('runningVar'), t.get('weight'), t.get('bias'),
                        training=p['training'], momentum=p['momentum'], eps=p['eps'])


def by_prefix(t, prefix):
    return [t[k] for k in sorted(t) if k.startswith(prefix)]


# ---- the cases ----

def build():
    g = Gen
    # elementwise binary, with broadcasting
    G = g('add'); case('add broadcast [3,1,4]+[5,1]', 'add', {}, [('a', G.normal(3, 1, 4), True), ('b', G.normal(5, 1), True)], binary(BINARY['add']))
    G = g('add s'); case('add scalar', 'add', {'scalar': 2.5}, [('a', G.normal(2, 3), True)], binary(BINARY['add']))
    G = g('sub'); case('sub broadcast [2,3]-[3]', 'sub', {}, [('a', G.normal(2, 3), True), ('b', G.normal(3), True)], binary(BINARY['sub']))
    G = g('mul'); case('mul broadcast [3,1,4]*[5,1]', 'mul', {}, [('a', G.normal(3, 1, 4), True), ('b', G.normal(5, 1), True)], binary(BINARY['mul']))
    G = g('mul0'); case('mul by 0-d', 'mul', {}, [('a', G.normal(4), True), ('b', G.normal(), True)], binary(BINARY['mul']))
    G = g('div'); case('div broadcast [2,3,4]/[3,1]', 'div', {}, [('a', G.normal(2, 3, 4), True), ('b', G.uniform(0.5, 2, 3, 1), True)], binary(BINARY['div']))
    G = g('pow'); case('pow both args', 'pow', {}, [('a', G.uniform(0.5, 2, 2, 3), True), ('b', G.uniform(-1.5, 2, 3), True)], binary(BINARY['pow']))
    G = g('pow s'); case('pow scalar exponent', 'pow', {'scalar': 3}, [('a', G.normal(5), True)], binary(BINARY['pow']))
    for op in ('maximum', 'minimum'):
        G = g(op)
        d = G.distinct(16, gap=0.1)
        case(f'{op} broadcast [3,4] vs [4]', op, {}, [('a', d[:12].reshape(3, 4), True), ('b', d[12:], True)], binary(BINARY[op]))

    # unary and activations
    unary_inputs = {
        'neg': lambda G: G.normal(3, 4), 'exp': lambda G: G.normal(3, 4), 'log': lambda G: G.uniform(0.3, 3, 3, 4),
        'sqrt': lambda G: G.uniform(0.3, 3, 3, 4), 'abs': lambda G: G.away([0], 3, 4), 'square': lambda G: G.normal(3, 4),
        'reciprocal': lambda G: G.away([0], 3, 4, gap=0.5), 'relu': lambda G: G.away([0], 3, 4),
        'sigmoid': lambda G: G.uniform(-6, 6, 3, 4), 'tanh': lambda G: G.uniform(-3, 3, 3, 4),
        'gelu': lambda G: G.uniform(-4, 4, 3, 4),
        'softplus': lambda G: np.array([-30, -3, -0.5, 0.4, 2, 19, 21, 30], dtype=np.float32),
        'silu': lambda G: G.uniform(-6, 6, 3, 4),
        'relu6': lambda G: G.away([0, 6], 3, 4, spread=8.0),
        'hardsigmoid': lambda G: G.away([-3, 3], 3, 4, spread=5.0),
        'hardswish': lambda G: G.away([-3, 3], 3, 4, spread=5.0),
    }
    for op, make in unary_inputs.items():
        G = g(op)
        case(op, op, {}, [('x', make(G), True)], lambda t, p, f=UNARY[op]: f(t['x']))
    G = g('gelu64'); case('gelu float64', 'gelu', {}, [('x', G.uniform(-5, 5, 16), True)], lambda t, p: F.gelu(t['x']), dtype='float64')
    G = g('leaky'); case('leakyRelu', 'leakyRelu', {'slope': 0.2}, [('x', G.away([0], 3, 4), True)], lambda t, p: F.leaky_relu(t['x'], p['slope']))
    G = g('clamp'); case('clamp', 'clamp', {'min': -0.5, 'max': 0.5}, [('x', G.away([-0.5, 0.5], 3, 4), True)],
                         lambda t, p: torch.clamp(t['x'], p['min'], p['max']))

    # matmul
    mm = lambda t, p: torch.matmul(t['a'], t['b'])
    for name, sa, sb in [('1-D @ 1-D', (4,), (4,)), ('1-D @ 2-D', (4,), (4, 3)), ('2-D @ 1-D', (3, 4), (4,)),
                         ('2-D @ 2-D', (3, 4), (4, 5)), ('batched', (2, 3, 4), (2, 4, 5)),
                         ('broadcast batch', (2, 1, 3, 4), (3, 4, 2)), ('N-D @ 2-D', (2, 3, 4), (4, 5)),
                         ('2-D @ N-D', (3, 4), (2, 4, 5)), ('1-D @ 3-D', (4,), (2, 4, 3)),
                         ('high-rank broadcast', (2, 3, 1, 2, 4), (3, 5, 4, 2))]:
        G = g('mm ' + name)
        case(f'matmul {name}', 'matmul', {}, [('a', G.normal(*sa), True), ('b', G.normal(*sb), True)], mm)
    lin = lambda t, p: F.linear(t['x'], t['weight'], t.get('bias'))
    G = g('linear'); case('linear with bias', 'linear', {}, [('x', G.normal(4, 3), True), ('weight', G.normal(5, 3), True), ('bias', G.normal(5), True)], lin)
    G = g('linear3'); case('linear on 3-D input without bias', 'linear', {}, [('x', G.normal(2, 3, 4), True), ('weight', G.normal(2, 4), True)], lin)
    G = g('mm64'); case('matmul float64 K=64', 'matmul', {}, [('a', G.normal(6, 64), True), ('b', G.normal(64, 5), True)], mm, dtype='float64')

    # shape and indexing
    G = g('transpose'); case('transpose 0,2', 'transpose', {'a': 0, 'b': 2}, [('x', G.normal(2, 3, 4), True)], lambda t, p: t['x'].transpose(p['a'], p['b']))
    G = g('permute'); case('permute', 'permute', {'perm': [2, 0, 1]}, [('x', G.normal(2, 3, 4), True)], lambda t, p: t['x'].permute(*p['perm']))
    G = g('reshape'); case('reshape -1', 'reshape', {'shape': [-1, 6]}, [('x', G.normal(2, 3, 4), True)], lambda t, p: t['x'].reshape(p['shape']))
    G = g('flatten'); case('flatten 1..', 'flatten', {'start': 1, 'end': -1}, [('x', G.normal(2, 3, 4), True)], lambda t, p: torch.flatten(t['x'], p['start'], p['end']))
    G = g('squeeze'); case('squeeze 1', 'squeeze', {'axis': 1}, [('x', G.normal(3, 1, 4), True)], lambda t, p: t['x'].squeeze(p['axis']))
    G = g('unsqueeze'); case('unsqueeze -1', 'unsqueeze', {'axis': -1}, [('x', G.normal(3, 4), True)], lambda t, p: t['x'].unsqueeze(p['axis']))
    G = g('expand'); case('expand [3,1] -> [2,3,4]', 'expand', {'shape': [2, 3, 4]}, [('x', G.normal(3, 1), True)], lambda t, p: t['x'].expand(*p['shape']))
    G = g('concat'); case('concat axis 1', 'concat', {'axis': 1}, [('x0', G.normal(2, 3), True), ('x1', G.normal(2, 1), True), ('x2', G.normal(2, 2), True)],
                          lambda t, p: torch.cat(by_prefix(t, 'x'), p['axis']))
    G = g('stack'); case('stack axis 1', 'stack', {'axis': 1}, [('x0', G.normal(2, 3), True), ('x1', G.normal(2, 3), True), ('x2', G.normal(2, 3), True)],
                         lambda t, p: torch.stack(by_prefix(t, 'x'), p['axis']))
    G = g('slice'); case('slice 1:3 of axis 1', 'slice', {'axis': 1, 'start': 1, 'end': 3}, [('x', G.normal(2, 3, 4), True)], slice_fn)
    G = g('slice neg'); case('slice negative bounds', 'slice', {'axis': -1, 'start': -3, 'end': -1}, [('x', G.normal(2, 3, 4), True)], slice_fn)
    G = g('slice open'); case('slice open end', 'slice', {'axis': 0, 'start': 1, 'end': None}, [('x', G.normal(3, 2), True)], slice_fn)
    G = g('embed'); case('indexSelect embedding rows with repeats', 'indexSelect', {'axis': 0},
                         [('x', G.normal(6, 3), True), ('index', np.array([5, 0, 5, 2, 5, 1], dtype=np.int32), False)],
                         lambda t, p: torch.index_select(t['x'], p['axis'], t['index']))
    G = g('isel1'); case('indexSelect axis 1', 'indexSelect', {'axis': 1}, [('x', G.normal(2, 3, 4), True), ('index', np.array([2, 0, 2], dtype=np.int32), False)],
                         lambda t, p: torch.index_select(t['x'], p['axis'], t['index']))
    G = g('gather'); case('gather axis 1', 'gather', {'axis': 1}, [('x', G.normal(3, 4), True), ('index', G.ints(4, 3, 5), False)],
                          lambda t, p: torch.gather(t['x'], p['axis'], t['index']))
    G = g('gather0'); case('gather axis 0, smaller index', 'gather', {'axis': 0}, [('x', G.normal(4, 3), True), ('index', G.ints(4, 2, 2), False)],
                           lambda t, p: torch.gather(t['x'], p['axis'], t['index']))
    G = g('where'); case('where broadcast', 'where', {},
                         [('cond', np.array([[1], [0], [1]], dtype=np.float32), False), ('a', G.normal(3, 4), True), ('b', G.normal(4), True)],
                         lambda t, p: torch.where(t['cond'] != 0, t['a'], t['b']))

    # reductions
    for kind in ('sum', 'mean', 'max', 'min', 'logSumExp'):
        for axes, keep in [([0, 2], False), ([0, 2], True), ([-1], False), ([1], True), (None, False)]:
            G = g(f'{kind} {axes} {keep}')
            x = G.distinct(2, 3, 4) if kind in ('max', 'min') else G.normal(2, 3, 4)
            case(f'{kind} axes={axes} keepDim={keep}', kind, {'axes': axes, 'keepDim': keep}, [('x', x, True)], reduce_fn(kind))
    G = g('lse64'); case('logSumExp float64', 'logSumExp', {'axes': [1], 'keepDim': False}, [('x', G.normal(3, 20, scale=3), True)], reduce_fn('logSumExp'), dtype='float64')

    # softmax
    for op, axis in [('softmax', 0), ('softmax', 1), ('softmax', -1), ('logSoftmax', 0), ('logSoftmax', 2)]:
        G = g(f'{op}{axis}')
        f = F.softmax if op == 'softmax' else F.log_softmax
        case(f'{op} axis {axis}', op, {'axis': axis}, [('x', G.normal(2, 3, 4, scale=2), True)], lambda t, p, f=f: f(t['x'], dim=p['axis']))

    # conv2d
    conv = lambda t, p: F.conv2d(t['x'], t['weight'], t.get('bias'), stride=p['stride'], padding=p['padding'], dilation=p['dilation'], groups=p['groups'])
    conv_cases = [
        ('3x3 with bias', (2, 2, 5, 5), (3, 2, 3, 3), True, 1, 0, 1, 1),
        ('stride 2 padding 1 no bias', (1, 2, 6, 5), (3, 2, 3, 3), False, 2, 1, 1, 1),
        ('dilation 2', (1, 2, 6, 6), (2, 2, 3, 3), True, 1, 1, 2, 1),
        ('groups 2', (2, 4, 4, 4), (6, 2, 2, 2), True, 1, 0, 1, 2),
        ('depthwise asymmetric', (1, 3, 4, 5), (3, 1, 1, 3), False, [1, 2], [0, 1], 1, 3),
        ('all options', (2, 4, 7, 5), (4, 2, 3, 2), True, [2, 1], [2, 1], [2, 1], 2),
    ]
    for name, sx, sw, has_bias, stride, padding, dilation, groups in conv_cases:
        G = g('conv ' + name)
        ins = [('x', G.normal(*sx), True), ('weight', G.normal(*sw), True)] + ([('bias', G.normal(sw[0]), True)] if has_bias else [])
        case(f'conv2d {name}', 'conv2d', {'stride': stride, 'padding': padding, 'dilation': dilation, 'groups': groups}, ins, conv)
    G = g('conv64')
    case('conv2d float64', 'conv2d', {'stride': 1, 'padding': 1, 'dilation': 1, 'groups': 1},
         [('x', G.normal(2, 4, 5, 5), True), ('weight', G.normal(3, 4, 3, 3), True), ('bias', G.normal(3), True)], conv, dtype='float64')

    # conv1d
    conv1 = lambda t, p: F.conv1d(t['x'], t['weight'], t.get('bias'), stride=p['stride'], padding=p['padding'], dilation=p['dilation'], groups=p['groups'])
    for name, sx, sw, has_bias, stride, padding, dilation, groups in [
        ('k5 with bias', (2, 2, 11), (3, 2, 5), True, 1, 0, 1, 1),
        ('stride 3 padding 2 dilation 2 no bias', (1, 3, 17), (4, 3, 3), False, 3, 2, 2, 1),
        ('depthwise', (2, 4, 9), (4, 1, 3), True, 1, 1, 1, 4),
        ('groups 2', (1, 4, 8), (6, 2, 2), False, 2, 0, 1, 2),
    ]:
        G = g('conv1d ' + name)
        ins = [('x', G.normal(*sx), True), ('weight', G.normal(*sw), True)] + ([('bias', G.normal(sw[0]), True)] if has_bias else [])
        case(f'conv1d {name}', 'conv1d', {'stride': stride, 'padding': padding, 'dilation': dilation, 'groups': groups}, ins, conv1)

    # scaled dot-product attention (PyTorch 1.13 has no F.scaled_dot_product_attention: written out,
    # masked scores set to the lowest float, as polytask does)
    def sdpa(t, p):
        q, k, v = t['q'], t['k'], t['v']
        scale = p['scale'] if p['scale'] is not None else 1 / math.sqrt(q.shape[-1])
        s = q @ k.transpose(-2, -1) * scale
        low = torch.finfo(s.dtype).min
        if 'mask' in t:
            s = torch.where(t['mask'] != 0, s, torch.tensor(low, dtype=s.dtype))
        if p['causal']:
            lq, lk = s.shape[-2], s.shape[-1]
            s = torch.where(torch.ones(lq, lk, dtype=torch.bool).tril(), s, torch.tensor(low, dtype=s.dtype))
        if 'keyPadding' in t:
            kp = t['keyPadding']
            s = torch.where(kp.reshape(kp.shape[0], *([1] * (s.dim() - 2)), kp.shape[1]) != 0, s, torch.tensor(low, dtype=s.dtype))
        return s.softmax(-1) @ v
    G = g('sdpa plain')
    case('scaledDotProductAttention [2,3,4,8]', 'scaledDotProductAttention', {'causal': False, 'scale': None},
         [('q', G.normal(2, 3, 4, 8), True), ('k', G.normal(2, 3, 5, 8), True), ('v', G.normal(2, 3, 5, 6), True)], sdpa)
    G = g('sdpa causal')
    case('scaledDotProductAttention causal, scale 0.5', 'scaledDotProductAttention', {'causal': True, 'scale': 0.5},
         [('q', G.normal(2, 5, 4), True), ('k', G.normal(2, 5, 4), True), ('v', G.normal(2, 5, 3), True)], sdpa)
    G = g('sdpa padding')
    case('scaledDotProductAttention key padding', 'scaledDotProductAttention', {'causal': False, 'scale': None},
         [('q', G.normal(2, 2, 3, 4), True), ('k', G.normal(2, 2, 4, 4), True), ('v', G.normal(2, 2, 4, 4), True),
          ('keyPadding', np.array([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=np.float32), False)], sdpa)
    G = g('sdpa mask')
    case('scaledDotProductAttention broadcast mask and causal', 'scaledDotProductAttention', {'causal': True, 'scale': None},
         [('q', G.normal(2, 4, 4), True), ('k', G.normal(2, 4, 4), True), ('v', G.normal(2, 4, 2), True),
          ('mask', np.array([[1, 0, 1, 1]], dtype=np.float32), False)], sdpa)

    # pooling
    for name, shape, k, s, pd in [('2x2', (2, 2, 4, 4), 2, 2, 0), ('3x3 stride 2 padding 1', (1, 2, 5, 5), 3, 2, 1), ('non-square window', (1, 1, 5, 6), [2, 3], [1, 2], [1, 1])]:
        G = g('maxpool ' + name)
        case(f'maxPool2d {name}', 'maxPool2d', {'kernel': k, 'stride': s, 'padding': pd}, [('x', G.distinct(*shape), True)],
             lambda t, p: F.max_pool2d(t['x'], p['kernel'], p['stride'], p['padding']))
    for cip in (True, False):
        G = g(f'avgpool {cip}')
        case(f'avgPool2d 3x3 stride 2 padding 1 countIncludePad={cip}', 'avgPool2d', {'kernel': 3, 'stride': 2, 'padding': 1, 'countIncludePad': cip},
             [('x', G.normal(1, 2, 5, 6), True)], lambda t, p: F.avg_pool2d(t['x'], p['kernel'], p['stride'], p['padding'], count_include_pad=p['countIncludePad']))
    G = g('avgpool nonsquare')
    case('avgPool2d non-square countIncludePad=False', 'avgPool2d', {'kernel': [3, 2], 'stride': [1, 2], 'padding': [1, 0], 'countIncludePad': False},
         [('x', G.normal(1, 2, 4, 5), True)], lambda t, p: F.avg_pool2d(t['x'], p['kernel'], p['stride'], p['padding'], count_include_pad=p['countIncludePad']))
    G = g('avgpool 2')
    case('avgPool2d 2x2', 'avgPool2d', {'kernel': 2, 'stride': 2, 'padding': 0, 'countIncludePad': True}, [('x', G.normal(2, 1, 4, 4), True)],
         lambda t, p: F.avg_pool2d(t['x'], p['kernel'], p['stride'], p['padding'], count_include_pad=p['countIncludePad']))
    for name, shape, out in [('7 -> 3', (1, 2, 7, 7), [3, 3]), ('[5,7] -> [2,3]', (2, 1, 5, 7), [2, 3]), ('[4,6] -> [4,2]', (1, 1, 4, 6), [4, 2])]:
        G = g('adaptive ' + name)
        case(f'adaptiveAvgPool2d {name}', 'adaptiveAvgPool2d', {'outputSize': out}, [('x', G.normal(*shape), True)],
             lambda t, p: F.adaptive_avg_pool2d(t['x'], p['outputSize']))

    # normalisation
    G = g('ln affine')
    case('layerNorm with affine', 'layerNorm', {'normalizedShape': [5], 'eps': 1e-5},
         [('x', G.normal(3, 5, scale=2), True), ('weight', G.normal(5), True), ('bias', G.normal(5), True)],
         lambda t, p: F.layer_norm(t['x'], p['normalizedShape'], t['weight'], t['bias'], p['eps']))
    G = g('ln plain')
    case('layerNorm without affine over two dims', 'layerNorm', {'normalizedShape': [3, 4], 'eps': 1e-5}, [('x', G.normal(2, 3, 4), True)],
         lambda t, p: F.layer_norm(t['x'], p['normalizedShape'], None, None, p['eps']))
    G = g('ln weight only')
    case('layerNorm weight only', 'layerNorm', {'normalizedShape': [2, 3], 'eps': 1e-3},
         [('x', G.normal(4, 2, 3), True), ('weight', G.normal(2, 3), True)],
         lambda t, p: F.layer_norm(t['x'], p['normalizedShape'], t['weight'], None, p['eps']))
    G = g('ln64')
    case('layerNorm float64', 'layerNorm', {'normalizedShape': [16], 'eps': 1e-5},
         [('x', G.normal(4, 16, scale=3), True), ('weight', G.normal(16), True), ('bias', G.normal(16), True)],
         lambda t, p: F.layer_norm(t['x'], p['normalizedShape'], t['weight'], t['bias'], p['eps']), dtype='float64')
    stats = lambda G, c: [('runningMean', G.normal(c), False), ('runningVar', G.uniform(0.5, 2, c), False)]
    G = g('bn train 4d')
    case('batchNorm train [N,C,H,W]', 'batchNorm', {'training': True, 'momentum': 0.1, 'eps': 1e-5},
         [('x', G.normal(3, 2, 2, 3), True)] + stats(G, 2) + [('weight', G.normal(2), True), ('bias', G.normal(2), True)],
         batch_norm, state=('runningMean', 'runningVar'))
    G = g('bn train 2d')
    case('batchNorm train [N,C] momentum 0.3', 'batchNorm', {'training': True, 'momentum': 0.3, 'eps': 1e-3},
         [('x', G.normal(6, 3, scale=2), True)] + stats(G, 3) + [('weight', G.normal(3), True), ('bias', G.normal(3), True)],
         batch_norm, state=('runningMean', 'runningVar'))
    G = g('bn train noaffine')
    case('batchNorm train without affine or stats', 'batchNorm', {'training': True, 'momentum': 0.1, 'eps': 1e-5}, [('x', G.normal(4, 3, 2), True)], batch_norm)
    G = g('bn eval')
    case('batchNorm eval', 'batchNorm', {'training': False, 'momentum': 0.1, 'eps': 1e-5},
         [('x', G.normal(4, 3, 2), True)] + stats(G, 3) + [('weight', G.normal(3), True), ('bias', G.normal(3), True)],
         batch_norm, state=('runningMean', 'runningVar'))

    # softmax cross-entropy (per-row losses)
    ce = lambda t, p: F.cross_entropy(t['logits'], t['targets'], reduction='none', ignore_index=p['ignoreIndex'], label_smoothing=p['labelSmoothing'])
    G = g('ce'); case('softmaxCrossEntropy', 'softmaxCrossEntropy', {'ignoreIndex': -100, 'labelSmoothing': 0.0},
                      [('logits', G.normal(5, 4, scale=2), True), ('targets', G.ints(4, 5), False)], ce)
    G = g('ce ls'); case('softmaxCrossEntropy label smoothing 0.1', 'softmaxCrossEntropy', {'ignoreIndex': -100, 'labelSmoothing': 0.1},
                         [('logits', G.normal(5, 4, scale=2), True), ('targets', G.ints(4, 5), False)], ce)
    G = g('ce large'); case('softmaxCrossEntropy large logits', 'softmaxCrossEntropy', {'ignoreIndex': -100, 'labelSmoothing': 0.05},
                            [('logits', G.normal(4, 6, scale=40), True), ('targets', G.ints(6, 4), False)], ce)
    G = g('ce ignore'); case('softmaxCrossEntropy ignoreIndex with smoothing', 'softmaxCrossEntropy', {'ignoreIndex': -1, 'labelSmoothing': 0.2},
                             [('logits', G.normal(4, 3, scale=2), True), ('targets', np.array([1, -1, 2, -1], dtype=np.int32), False)], ce)


def compact(a):
    """Float32 values as the shortest decimals that read back as the same float32."""
    return [float('%.9g' % v) for v in np.asarray(a, dtype=np.float32).ravel()]


def run(c):
    tdt = torch.float64 if c['dtype'] == 'float64' else torch.float32
    tensors, stored = {}, []
    for name, arr, req in c['inputs']:
        if arr.dtype == np.int32:
            tensors[name] = torch.tensor(arr, dtype=torch.int64)
            stored.append(dict(name=name, dtype='int32', shape=list(arr.shape), data=[int(v) for v in arr.ravel()]))
        else:
            tensors[name] = torch.tensor(arr, dtype=tdt, requires_grad=req)
            stored.append(dict(name=name, dtype='float32', shape=list(arr.shape), data=compact(arr), grad=req))
    out = c['fn'](tensors, c['params'])
    r = Gen('R ' + c['name']).normal(*out.shape)
    (out * torch.tensor(r, dtype=tdt)).sum().backward()
    grads = {name: dict(shape=list(arr.shape), data=compact(tensors[name].grad.detach().numpy()))
             for name, arr, req in c['inputs'] if req}
    state = {name: compact(tensors[name].detach().numpy()) for name in c['state']}
    return dict(name=c['name'], op=c['op'], params=c['params'], dtype=c['dtype'], inputs=stored,
                R=dict(shape=list(out.shape), data=compact(r)),
                output=dict(shape=list(out.shape), data=compact(out.detach().numpy())),
                grads=grads, state=state)


def main():
    torch.manual_seed(0)
    build()
    doc = dict(
        generator='scripts/golden_ops.py',
        torch=torch.__version__,
        note='grads are of sum(output * R); float32 unless dtype says float64 (then inputs are float32 values computed in double)',
        cases=[run(c) for c in CASES],
    )
    names = [c['name'] for c in doc['cases']]
    assert len(names) == len(set(names)), 'case names must be unique'
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(CASES)} cases, {os.path.getsize(OUT)} bytes to {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
