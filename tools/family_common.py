"""Shared pieces of the research families' PyTorch references (build time only):
config names, seeded random weights, BatchNorm folding and export, the layers
both families use (stems, attention, heads) and MAC counting by hooks.

The engine mirrors each piece: net/config_names.cpp (names),
net/random_weights.cpp (seeded weights, bit-identical), net/layers.cpp
(layers and their blob names). Tokens are token-major [B, N, C] here; the
research code's channel-first [B, C, N] is the same maths.

    import family_common as fc
    config = fc.parse_config_name("et-c128-d2-gaf-ln-conv3x3-corner")
    model = efficienttrack_ref.EfficientTrack(config)
    fc.load_random_weights(model, seed=7)          # pre-fold, BatchNorm stats included
    tensors = fc.blob_tensors(model)               # [(name, float32 array)], BN folded
"""

import copy
import math
import re
from collections import OrderedDict, defaultdict

import numpy as np
import torch
from torch import nn

import blobfile

TEMPLATE_SIZE, SEARCH_SIZE = 128, 256
PATCH_STRIDE = 16
TEMPLATE_GRID, SEARCH_GRID = TEMPLATE_SIZE // PATCH_STRIDE, SEARCH_SIZE // PATCH_STRIDE  # 8, 16
TEMPLATE_TOKENS, SEARCH_TOKENS = TEMPLATE_GRID ** 2, SEARCH_GRID ** 2                    # 64, 256
LN_EPS = 1e-5
BN_EPS = 1e-5                      # PyTorch's BatchNorm default
SCORE_CLIP = 1e-4                  # center head: score and size clipped to [1e-4, 1 - 1e-4]
STEM_STAGES = 4                    # conv3x3 / conv2x2 stems: C/8, C/4, C/2, C
HEAD_TOWER = 4                     # head towers: ch, ch/2, ch/4, ch/8
C = blobfile.CONST

# ---------------------------------------------------------------------------
# Config names (mirror of net/config_names.cpp; the same messages)

ET_GRAMMAR = "et-c{C}-d{D}-{af|faf|gaf|fgaf}-{bn|ln}-{conv3x3|conv2x2}-{center|corner}"
VIT_GRAMMAR = "vit-d{D}-c{C}-{standard|conv3x3|conv2x2}-{center|corner}"
ET_HEADS, GROUP_KEY_DIM, VIT_HEAD_DIM, CENTER_HEAD_CHANNELS = 4, 16, 64, 128
MAX_DEPTH, MAX_CHANNELS = 64, 2048

BLOCKS = OrderedDict(af=C.kBlockAF, faf=C.kBlockFAF, gaf=C.kBlockGAF, fgaf=C.kBlockFGAF)
NORMS = OrderedDict(bn=C.kNormBatchNorm, ln=C.kNormLayerNorm)
ET_PATCHES = OrderedDict(conv3x3=C.kPatchConv3x3, conv2x2=C.kPatchConv2x2)
VIT_PATCHES = OrderedDict(standard=C.kPatchStandard, conv3x3=C.kPatchConv3x3, conv2x2=C.kPatchConv2x2)
HEADS = OrderedDict(center=C.kHeadCenter, corner=C.kHeadCorner)


class ConfigError(ValueError):
    """A malformed config name."""


def _choice(name, parts, index, what, choices):
    if parts[index] in choices:
        return choices[parts[index]]
    words = list(choices)
    allowed = ", ".join(words[:-1]) + " or " + words[-1]
    raise ConfigError(f"model name '{name}': {what} '{parts[index]}' (part {index + 1}): expected {allowed}")


def _number(name, parts, index, prefix, what, lo, hi, multiple):
    p = parts[index]
    allowed = (f"a multiple of {multiple} in {lo}..{hi}" if multiple > 1 else f"{lo}..{hi}")
    if not re.fullmatch(prefix + r"(0|[1-9][0-9]{0,4})", p):
        raise ConfigError(f"model name '{name}': {what} '{p}' (part {index + 1}): expected {prefix}N "
                          f"with N {allowed}")
    v = int(p[1:])
    if not lo <= v <= hi or v % multiple:
        raise ConfigError(f"model name '{name}': {what} '{p}' (part {index + 1}): got {v}, "
                          f"expected {allowed}")
    return v


def _config(family, depth, channels):
    config = OrderedDict((f, 0) for f in blobfile.CONFIG_FIELDS)
    config.update(family=family, depth=depth, channels=channels, template_size=TEMPLATE_SIZE,
                  search_size=SEARCH_SIZE)
    return config


def parse_config_name(name):
    """The blob config (an ordered dict of blobfile.CONFIG_FIELDS) a config name stands for."""
    parts = name.split("-")
    if name.startswith("et-"):
        if len(parts) != 7:
            raise ConfigError(f"model name '{name}': {len(parts)} dash-separated parts, expected 7: "
                              f"{ET_GRAMMAR}")
        channels = _number(name, parts, 1, "c", "channels", 16, MAX_CHANNELS, 16)
        config = _config(C.kFamilyEfficientTrack, _number(name, parts, 2, "d", "depth", 1, MAX_DEPTH, 1),
                         channels)
        config.update(block_type=_choice(name, parts, 3, "block type", BLOCKS),
                      norm=_choice(name, parts, 4, "norm flavour", NORMS),
                      patch_embed=_choice(name, parts, 5, "patch embed", ET_PATCHES),
                      head_kind=_choice(name, parts, 6, "head", HEADS))
        group = config["block_type"] in (C.kBlockGAF, C.kBlockFGAF)
        leading_ffn = config["block_type"] in (C.kBlockFAF, C.kBlockFGAF)
        if not group:
            key_dim = channels // ET_HEADS
        elif config["patch_embed"] == C.kPatchConv2x2:
            key_dim = channels // (4 * ET_HEADS)
        else:
            key_dim = GROUP_KEY_DIM
        config.update(heads=ET_HEADS, mlp_ratio=2 if leading_ffn else 4, key_dim=key_dim,
                      value_dim=channels // ET_HEADS)
    elif name.startswith("vit-"):
        if len(parts) != 5:
            raise ConfigError(f"model name '{name}': {len(parts)} dash-separated parts, expected 5: "
                              f"{VIT_GRAMMAR}")
        depth = _number(name, parts, 1, "d", "depth", 1, MAX_DEPTH, 1)
        channels = _number(name, parts, 2, "c", "channels", VIT_HEAD_DIM, MAX_CHANNELS, VIT_HEAD_DIM)
        config = _config(C.kFamilyVittrack, depth, channels)
        config.update(block_type=C.kBlockVit, norm=C.kNormLayerNorm,
                      patch_embed=_choice(name, parts, 3, "patch embed", VIT_PATCHES),
                      head_kind=_choice(name, parts, 4, "head", HEADS),
                      heads=channels // VIT_HEAD_DIM, mlp_ratio=4, key_dim=VIT_HEAD_DIM,
                      value_dim=VIT_HEAD_DIM)
    else:
        raise ConfigError(f"model name '{name}': expected {ET_GRAMMAR} or {VIT_GRAMMAR}")
    config["head_channels"] = (CENTER_HEAD_CHANNELS if config["head_kind"] == C.kHeadCenter
                               else config["channels"])
    return config


# ---------------------------------------------------------------------------
# Seeded random weights (weights/FORMAT.md, "Seeded random weights")

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for byte in name.encode("ascii"):
        h = ((h ^ byte) * 0x100000001B3) & _MASK
    return h


def _mix64(z):
    """splitmix64's output function on a uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def random_tensor(seed, name, shape, center, scale):
    """float32 array of `shape`: element i (row-major) is center + t_i * scale with
    t_i = 2 * ((r_i >> 40) * 2^-24) - 1, r_i = mix64(s + (i + 1) * golden),
    s = fnv1a64(name) ^ mix64(seed); every operation in float32 or exact."""
    n = int(np.prod(shape, dtype=np.int64))
    with np.errstate(over="ignore"):
        state = np.uint64(fnv1a64(name) ^ int(_mix64(np.array([seed & _MASK], dtype=np.uint64))[0]))
        r = _mix64(state + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(_GOLDEN))
    u = (r >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    t = np.float32(2.0) * u - np.float32(1.0)
    return (np.float32(center) + t * np.float32(scale)).astype(np.float32).reshape(shape)


# (center, scale) per tensor kind; net/random_weights.cpp holds the same table.
INIT_LAYER_NORM = {"weight": (1.0, 0.25), "bias": (0.0, 0.25)}
INIT_BATCH_NORM = {"weight": (1.0, 0.25), "bias": (0.0, 0.25), "running_mean": (0.0, 0.25),
                   "running_var": (1.0, 0.5)}
INIT_TABLE = (0.0, 0.125)
TABLES = ("pos_embed_z", "pos_embed_x", "cls_token")  # learned tables of the families


def fan_in_bound(fan_in):
    """PyTorch's default init range 1/sqrt(fan_in), rounded once from double."""
    return float(np.float32(1.0 / math.sqrt(fan_in)))


def init_of(model, key):
    """(center, scale) of state_dict entry `key`, from the module that owns it."""
    prefix, _, attr = key.rpartition(".")
    module = model.get_submodule(prefix) if prefix else model
    if isinstance(module, nn.BatchNorm2d) and attr in INIT_BATCH_NORM:
        return INIT_BATCH_NORM[attr]
    if isinstance(module, nn.LayerNorm) and attr in INIT_LAYER_NORM:
        return INIT_LAYER_NORM[attr]
    if isinstance(module, (nn.Conv2d, nn.Linear)) and attr in ("weight", "bias"):
        return 0.0, fan_in_bound(module.weight[0].numel())
    if module is model and attr in TABLES:
        return INIT_TABLE
    raise ValueError(f"{type(model).__name__}: no random init rule for state_dict entry {key}")


def random_state_dict(model, seed):
    """The model's state_dict with every entry drawn from its (seed, name) stream
    (num_batches_tracked kept)."""
    state = OrderedDict()
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            state[key] = value.clone()
            continue
        center, scale = init_of(model, key)
        state[key] = torch.from_numpy(random_tensor(seed, key, tuple(value.shape), center, scale))
    return state


def load_random_weights(model, seed):
    model.load_state_dict(random_state_dict(model, seed), strict=True)
    return model.eval()


# ---------------------------------------------------------------------------
# BatchNorm folding and the blob's tensor list

def fold_batch_norm(weight, bias, gamma, beta, mean, var, eps):
    """Conv (weight [out, ...], bias [out] or None) followed by BatchNorm -> one conv,
    in float32 with net/random_weights.cpp's operation order:
    s = gamma / sqrt(var + eps); w * s; (b - mean) * s + beta."""
    f32 = np.float32
    weight, gamma, beta, mean, var = (np.asarray(a, dtype=f32) for a in (weight, gamma, beta, mean, var))
    bias = np.zeros(weight.shape[0], dtype=f32) if bias is None else np.asarray(bias, dtype=f32)
    s = (gamma / np.sqrt(var + f32(eps))).astype(f32)
    folded_w = (weight * s.reshape((-1,) + (1,) * (weight.ndim - 1))).astype(f32)
    folded_b = ((bias - mean) * s + beta).astype(f32)
    return folded_w, folded_b


def blob_tensors(model):
    """[(blob name, float32 array)] of the model's current weights in state_dict order,
    each ConvBN folded to <name>.weight/.bias (FORMAT.md)."""
    out = []
    state = model.state_dict()
    for key, value in state.items():
        prefix, _, attr = key.rpartition(".")
        owner, _, role = prefix.rpartition(".")
        parent = model.get_submodule(owner) if role in ("conv", "bn") and owner else None
        if isinstance(parent, ConvBN):
            if role == "conv" and attr == "weight":
                bias = state.get(owner + ".conv.bias")
                w, b = fold_batch_norm(value.numpy(), None if bias is None else bias.numpy(),
                                       *(state[f"{owner}.bn.{n}"].numpy()
                                         for n in ("weight", "bias", "running_mean", "running_var")),
                                       parent.bn.eps)
                out.append((owner + ".weight", w))
                out.append((owner + ".bias", b))
            continue  # conv.bias and bn.* are folded in
        out.append((key, value.detach().numpy().astype(np.float32)))
    return out


def deployed_parameter_count(model):
    return sum(a.size for _, a in blob_tensors(model))


# ---------------------------------------------------------------------------
# Layers

class ConvBN(nn.Module):
    """Conv2d (bias optional) + BatchNorm2d; folded into one biased conv at export."""

    def __init__(self, cin, cout, kernel, stride=1, pad=0, groups=1, bias=False):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, pad, groups=groups, bias=bias)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS)

    def forward(self, x):
        return self.bn(self.conv(x))


class MatMul(nn.Module):
    """a @ b as a module, so the MAC hooks see the two attention products."""

    def forward(self, a, b):
        return a @ b


def pointwise(module, t):
    """A 1x1 conv (or ConvBN) applied to token-major t [B, N, Cin] -> [B, N, Cout]."""
    return module(t.transpose(1, 2).unsqueeze(-1)).squeeze(-1).transpose(1, 2)


def make_stem(patch_embed, channels, batch_norm=True):
    """The patch embed as a ModuleList `patch_embed.{i}`: conv3x3 (k3 s2 p1) or conv2x2
    (k2 s2) stages 3 -> C/8 -> C/4 -> C/2 -> C, ConvBN without conv bias; or standard:
    one Conv2d k16 s16 with bias."""
    if patch_embed == C.kPatchStandard:
        return nn.ModuleList([nn.Conv2d(3, channels, PATCH_STRIDE, PATCH_STRIDE)])
    kernel, pad = (3, 1) if patch_embed == C.kPatchConv3x3 else (2, 0)
    widths = [3] + [channels >> (STEM_STAGES - 1 - s) for s in range(STEM_STAGES)]
    make = (lambda i, o: ConvBN(i, o, kernel, 2, pad)) if batch_norm else (
        lambda i, o: nn.Conv2d(i, o, kernel, 2, pad))
    return nn.ModuleList(make(widths[s], widths[s + 1]) for s in range(STEM_STAGES))


def run_stem(stem, image):
    """[B,3,H,W] -> tokens [B, HW/256, C], token index (W/16)*y + x; HardSwish after
    every stage but the last."""
    f = image
    for i, stage in enumerate(stem):
        f = stage(f)
        if i + 1 < len(stem):
            f = nn.functional.hardswish(f)
    return f.flatten(2).transpose(1, 2)


def attention_heads(module, q, k, v, scale):
    """q, k [B,H,N,kd], v [B,H,N,d] -> [B,H,N,d]: softmax(q k^T * scale) v over all keys."""
    attn = torch.softmax(module.qk(q, k.transpose(-2, -1)) * scale, dim=-1)
    return module.av(attn, v)


class MultiHeadAttention(nn.Module):
    """proj(MHSA(t)) with qkv rows [q heads | k heads | v heads] (timm layout), H heads of
    C/H, scale (C/H)^-0.5. `norm` (a LayerNorm applied first) is registered before qkv
    when given, so the state_dict order is norm, qkv, proj."""

    def __init__(self, channels, heads, qkv_bias, norm=False):
        super().__init__()
        if norm:
            self.norm = nn.LayerNorm(channels, eps=LN_EPS)
        self.qkv = nn.Linear(channels, 3 * channels, bias=qkv_bias)
        self.proj = nn.Linear(channels, channels)
        self.qk, self.av = MatMul(), MatMul()
        self.heads = heads

    def forward(self, t):                                           # [B,N,C]
        if hasattr(self, "norm"):
            t = self.norm(t)
        b, n, c = t.shape
        d = c // self.heads
        qkv = self.qkv(t).reshape(b, n, 3, self.heads, d).permute(2, 0, 3, 1, 4)  # [3,B,H,N,d]
        o = attention_heads(self, qkv[0], qkv[1], qkv[2], d ** -0.5)
        return self.proj(o.transpose(1, 2).reshape(b, n, c))


# ---------------------------------------------------------------------------
# Heads on the [B, C, 16, 16] search feature

class _Towers(nn.Module):
    """Branches conv{1..4}_{branch}: conv3x3 p1 (+BatchNorm) + ReLU with ch, ch/2, ch/4,
    ch/8 channels, then conv5_{branch}, a 1x1 conv; registered branch by branch."""

    def __init__(self, channels, head_channels, branches, batch_norm=True):
        super().__init__()
        for branch, outputs in branches:
            cin = channels
            for level in range(HEAD_TOWER):
                cout = head_channels >> level
                conv = (ConvBN(cin, cout, 3, 1, 1, bias=True) if batch_norm
                        else nn.Conv2d(cin, cout, 3, 1, 1))
                setattr(self, f"conv{level + 1}_{branch}", conv)
                cin = cout
            setattr(self, f"conv{HEAD_TOWER + 1}_{branch}", nn.Conv2d(cin, outputs, 1))

    def branch(self, name, f):
        for level in range(1, HEAD_TOWER + 1):
            f = torch.relu(getattr(self, f"conv{level}_{name}")(f))
        return getattr(self, f"conv{HEAD_TOWER + 1}_{name}")(f)


class CenterHead(_Towers):
    """score (ctr), offset, size; score and size through a sigmoid clipped to
    [1e-4, 1 - 1e-4], offset raw."""

    def __init__(self, channels, head_channels, batch_norm=True):
        super().__init__(channels, head_channels, (("ctr", 1), ("offset", 2), ("size", 2)), batch_norm)

    def forward(self, f, record):
        score = torch.clamp(torch.sigmoid(self.branch("ctr", f)), SCORE_CLIP, 1 - SCORE_CLIP)
        size = torch.clamp(torch.sigmoid(self.branch("size", f)), SCORE_CLIP, 1 - SCORE_CLIP)
        offset = self.branch("offset", f)
        record("head.score", score)
        record("head.size", size)
        record("head.offset", offset)
        return score, size, offset


def soft_argmax(logits, offset):
    """logits [B,1,G,G] -> expected (x, y) [B] with cell coordinates 16*i + offset."""
    b, _, g, _ = logits.shape
    prob = torch.softmax(logits.reshape(b, g * g), dim=1)
    coord = torch.arange(g, dtype=prob.dtype, device=prob.device) * PATCH_STRIDE + offset
    coord_x = coord.reshape(1, g).expand(g, g).reshape(-1)   # cell g*y + x -> coordinate of x
    coord_y = coord.reshape(g, 1).expand(g, g).reshape(-1)   # -> coordinate of y
    return (prob * coord_x).sum(1), (prob * coord_y).sum(1)


class CornerHead(_Towers):
    """Top-left and bottom-right logit maps, soft-argmaxed with cell coordinates 16*i
    and 16*i + 15; box (x1, y1, x2, y2) / 256, fractions of the search crop."""

    def __init__(self, channels, head_channels, batch_norm=True):
        super().__init__(channels, head_channels, (("tl", 1), ("br", 1)), batch_norm)

    def forward(self, f, record):
        tl, br = self.branch("tl", f), self.branch("br", f)
        x1, y1 = soft_argmax(tl, 0)
        x2, y2 = soft_argmax(br, PATCH_STRIDE - 1)
        box = torch.stack([x1, y1, x2, y2], dim=1) / SEARCH_SIZE
        record("head.tl", tl)
        record("head.br", br)
        record("head.box", box)
        return tl, br, box


def make_head(config):
    make = CenterHead if config["head_kind"] == C.kHeadCenter else CornerHead
    return make(config["channels"], config["head_channels"])


def search_feature(search_tokens):
    """[B, 256, C] -> [B, C, 16, 16] (token index 16*y + x)."""
    b, _, c = search_tokens.shape
    return search_tokens.transpose(1, 2).reshape(b, c, SEARCH_GRID, SEARCH_GRID)


class Reference(nn.Module):
    """Base of the family references: forward and forward_with_intermediates over
    `_forward(z, x, record)`."""

    def forward(self, z, x):
        return self._forward(z, x, lambda name, tensor: None)

    def forward_with_intermediates(self, z, x):
        """Batch 1; name -> activation without the batch dim (tokens [N, C], maps CHW)."""
        if z.shape[0] != 1 or x.shape[0] != 1:
            raise ValueError(f"forward_with_intermediates takes batch 1, got z {list(z.shape)} and "
                             f"x {list(x.shape)}")
        acts = OrderedDict()
        self._forward(z, x, lambda name, tensor: acts.__setitem__(name, tensor[0].detach()))
        return acts


# ---------------------------------------------------------------------------
# Costs

def stage_of_parameter(name, head_kind):
    """The inspect stage a blob tensor counts in (tools/cli inspect's names)."""
    if name == "pos_embed_z":
        return "patch_embed (template, at init)"
    if name in ("pos_embed_x", "cls_token") or name.startswith("patch_embed."):
        return "patch_embed (search)"
    m = re.match(r"blocks\.(\d+)\.", name)
    if m:
        return f"blocks.{m.group(1)}"
    if name.startswith("norm."):
        return "norm"
    if name.startswith("box_head."):
        return "head (center)" if head_kind == C.kHeadCenter else "head (corner)"
    raise ValueError(f"tensor {name}: no stage")


def count_costs(model, config):
    """{stage: {"parameters": n, "macs": n}} for one forward pass (template and search):
    MACs from forward hooks on every Conv2d (out elements x in/groups x k x k), Linear
    (out elements x in) and MatMul (the attention products: out elements x inner dim);
    parameters are the deployed (BatchNorm-folded) blob tensors."""
    costs = defaultdict(lambda: {"parameters": 0, "macs": 0})
    calls = defaultdict(int)
    head = "head (center)" if config["head_kind"] == C.kHeadCenter else "head (corner)"

    def stage_of_module(name):
        if name.startswith("patch_embed."):
            calls[name] += 1  # the forward embeds the template first, then the search
            return "patch_embed (template, at init)" if calls[name] == 1 else "patch_embed (search)"
        m = re.match(r"blocks\.(\d+)\.", name)
        if m:
            return f"blocks.{m.group(1)}"
        if name.startswith("box_head."):
            return head
        raise ValueError(f"module {name}: no stage")

    def hook(name):
        def count(module, inputs, output):
            if isinstance(module, nn.Conv2d):
                kh, kw = module.kernel_size
                macs = output.numel() * (module.in_channels // module.groups) * kh * kw
            elif isinstance(module, nn.Linear):
                macs = output.numel() * module.in_features
            else:
                macs = output.numel() * inputs[0].shape[-1]
            costs[stage_of_module(name)]["macs"] += macs
        return count

    # Shapes are all the hooks need: run a copy on the meta device (no arithmetic).
    meta = copy.deepcopy(model).to("meta")
    for n, m in meta.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, MatMul)):
            m.register_forward_hook(hook(n))
    with torch.no_grad():
        meta(torch.zeros(1, 3, TEMPLATE_SIZE, TEMPLATE_SIZE, device="meta"),
             torch.zeros(1, 3, SEARCH_SIZE, SEARCH_SIZE, device="meta"))
    for name, a in blob_tensors(model):
        costs[stage_of_parameter(name, config["head_kind"])]["parameters"] += a.size
    return dict(costs)
