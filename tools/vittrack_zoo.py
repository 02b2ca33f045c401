"""PyTorch reference of `vittrack-zoo`, the OpenCV Zoo VitTrack network
(shared/spec/models.md, section 1). Build-time only: it defines the tensor
names of the blob (its state_dict, FORMAT.md) and produces the goldens.

Shapes below are for batch 1; the model takes any batch size.

    z [B,3,128,128] --patch_embed--> [B,64,48]  + pos_embed_z  \
                                                                 concat -> t [B,320,48]
    x [B,3,256,256] --patch_embed--> [B,256,48] + pos_embed_x  /
    3 x { t += proj(attn(norm1 t));  t += fc2 GELU(fc1 norm2 t) }
    t = norm(t);  feature = t[:, 64:] as [B,48,16,16]  (token index = 16*y + x)
    box_head -> score [B,1,16,16], size [B,2,16,16], offset [B,2,16,16]
"""

import math
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

CHANNELS = 48                     # token width C
DEPTH = 3                         # ViT blocks
MLP_HIDDEN = 4 * CHANNELS         # 192
HEAD_CHANNELS = 32                # first conv width of each head branch
PATCH_CHANNELS = (3, 6, 12, 24, 48)
TEMPLATE_SIZE, SEARCH_SIZE = 128, 256
TEMPLATE_TOKENS = (TEMPLATE_SIZE // 16) ** 2  # 64
SEARCH_GRID = SEARCH_SIZE // 16               # 16
SEARCH_TOKENS = SEARCH_GRID ** 2              # 256
LN_EPS = 1e-5
SCORE_CLIP = 1e-4                 # score and size are clipped to [1e-4, 1 - 1e-4]
HEAD_BRANCHES = ("ctr", "offset", "size")     # state_dict order of the box head
EXPECTED_PARAMETERS = 173_953


def blob_config():
    """The blob config of vittrack-zoo (FORMAT.md, "Config")."""
    from blobfile import CONST  # here, so the model itself needs no blob_format.h
    return OrderedDict(
        family=CONST.kFamilyVittrackZoo, depth=DEPTH, channels=CHANNELS, heads=1,
        block_type=CONST.kBlockVit, norm=CONST.kNormLayerNorm, patch_embed=CONST.kPatchConv3x3,
        head_kind=CONST.kHeadCenter, head_channels=HEAD_CHANNELS, template_size=TEMPLATE_SIZE,
        search_size=SEARCH_SIZE, mlp_ratio=MLP_HIDDEN // CHANNELS, key_dim=CHANNELS,
        value_dim=CHANNELS, reserved0=0, reserved1=0)


class Attention(nn.Module):
    """Single-head self-attention over all 320 tokens, head dim 48."""

    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(CHANNELS, 3 * CHANNELS)  # weight [144,48], rows q, k, v
        self.proj = nn.Linear(CHANNELS, CHANNELS)

    def forward(self, t):                                   # t [B,N,48]
        q, k, v = self.qkv(t).chunk(3, dim=-1)              # each [B,N,48]
        # q / sqrt(48) before the product, as the ONNX graph (and PyTorch's
        # MultiheadAttention it came from) does: same maths as scale 1/sqrt(48),
        # and the same float32 rounding as the graph.
        q = q / math.sqrt(CHANNELS)
        attn = torch.softmax(q @ k.transpose(-2, -1), dim=-1)  # [B,N,N], over 320 keys
        return self.proj(attn @ v)                           # [B,N,48]


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(CHANNELS, MLP_HIDDEN)          # weight [192,48]
        self.act = nn.GELU()                                # exact erf form
        self.fc2 = nn.Linear(MLP_HIDDEN, CHANNELS)          # weight [48,192]

    def forward(self, t):
        return self.fc2(self.act(self.fc1(t)))


class Block(nn.Module):
    """Pre-norm ViT block. forward returns the stream after the attention
    residual and after the MLP residual (both are golden intermediates)."""

    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(CHANNELS, eps=LN_EPS)
        self.attn = Attention()
        self.norm2 = nn.LayerNorm(CHANNELS, eps=LN_EPS)
        self.mlp = Mlp()

    def forward(self, t):                                   # t [B,320,48]
        after_attn = t + self.attn(self.norm1(t))
        return after_attn, after_attn + self.mlp(self.norm2(after_attn))


def _conv3x3(cin, cout, stride):
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=True)


class CenterHead(nn.Module):
    """Three branches (ctr = score, offset, size), each 4 x (conv3x3 p1 + ReLU)
    with 48->32->16->8->4 channels, then a 1x1 conv. BatchNorm is folded into
    the convs (the ONNX file ships them folded), hence the biases."""

    def __init__(self):
        super().__init__()
        widths = (CHANNELS, HEAD_CHANNELS, HEAD_CHANNELS // 2, HEAD_CHANNELS // 4,
                  HEAD_CHANNELS // 8)
        outputs = {"ctr": 1, "offset": 2, "size": 2}
        for branch in HEAD_BRANCHES:
            for i in range(4):
                setattr(self, f"conv{i + 1}_{branch}", _conv3x3(widths[i], widths[i + 1], 1))
            setattr(self, f"conv5_{branch}", nn.Conv2d(widths[4], outputs[branch], kernel_size=1))

    def _branch(self, branch, f):
        for i in range(1, 5):
            f = torch.relu(getattr(self, f"conv{i}_{branch}")(f))
        return getattr(self, f"conv5_{branch}")(f)

    def forward(self, f):                                   # f [B,48,16,16]
        score = torch.clamp(torch.sigmoid(self._branch("ctr", f)), SCORE_CLIP, 1 - SCORE_CLIP)
        size = torch.clamp(torch.sigmoid(self._branch("size", f)), SCORE_CLIP, 1 - SCORE_CLIP)
        offset = self._branch("offset", f)                  # raw, sub-cell x,y
        return score, size, offset                          # [B,1|2|2,16,16]


class VitTrackZoo(nn.Module):
    def __init__(self):
        super().__init__()
        # Shared by template and search: 4 x conv3x3 s2 p1, 3->6->12->24->48,
        # HardSwish after the first three (stride 16 in all).
        self.patch_embed = nn.ModuleList(
            _conv3x3(PATCH_CHANNELS[i], PATCH_CHANNELS[i + 1], 2) for i in range(4))
        self.pos_embed_z = nn.Parameter(torch.zeros(TEMPLATE_TOKENS, CHANNELS))  # [64,48]
        self.pos_embed_x = nn.Parameter(torch.zeros(SEARCH_TOKENS, CHANNELS))    # [256,48]
        self.blocks = nn.ModuleList(Block() for _ in range(DEPTH))
        self.norm = nn.LayerNorm(CHANNELS, eps=LN_EPS)
        self.box_head = CenterHead()

    def embed(self, image):                                 # [B,3,H,W] -> [B,HW/256,48]
        f = image
        for i, conv in enumerate(self.patch_embed):
            f = conv(f)
            if i < 3:
                f = nn.functional.hardswish(f)
        return f.flatten(2).transpose(1, 2)                 # token index = (W/16)*y + x

    def _forward(self, z, x, record):
        """The one forward pass; `record(name, tensor)` sees every intermediate."""
        record("input.z", z)
        record("input.x", x)
        tz = self.embed(z) + self.pos_embed_z               # [B,64,48]
        tx = self.embed(x) + self.pos_embed_x               # [B,256,48]
        record("patch_embed.z", tz)
        record("patch_embed.x", tx)
        t = torch.cat([tz, tx], dim=1)                      # [B,320,48], template first
        for i, block in enumerate(self.blocks):
            after_attn, t = block(t)
            record(f"blocks.{i}.attn", after_attn)
            record(f"blocks.{i}", t)
        t = self.norm(t)
        record("norm", t)
        search = t[:, TEMPLATE_TOKENS:]                     # [B,256,48]
        feature = search.transpose(1, 2).reshape(-1, CHANNELS, SEARCH_GRID, SEARCH_GRID)
        score, size, offset = self.box_head(feature)
        record("head.score", score)
        record("head.size", size)
        record("head.offset", offset)
        return score, size, offset

    def forward(self, z, x):
        """z [B,3,128,128], x [B,3,256,256] -> score [B,1,16,16], size [B,2,16,16],
        offset [B,2,16,16]."""
        return self._forward(z, x, lambda name, tensor: None)

    def forward_with_intermediates(self, z, x):
        """Batch 1 only. Returns an ordered dict name -> tensor without the batch
        dim: input.z [3,128,128], input.x [3,256,256], patch_embed.z [64,48],
        patch_embed.x [256,48], blocks.{i}.attn and blocks.{i} [320,48],
        norm [320,48], head.score [1,16,16], head.size and head.offset [2,16,16]."""
        if z.shape[0] != 1 or x.shape[0] != 1:
            raise ValueError(f"forward_with_intermediates takes batch 1, got z {list(z.shape)} "
                             f"and x {list(x.shape)}")
        acts = OrderedDict()
        self._forward(z, x, lambda name, tensor: acts.__setitem__(name, tensor[0].detach()))
        return acts


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def model_from_state(tensors, source):
    """Builds a VitTrackZoo from name -> numpy array, requiring
    exactly the state_dict's names and shapes. `source` names the origin in errors."""
    model = VitTrackZoo()
    expected = model.state_dict()
    missing = [n for n in expected if n not in tensors]
    unexpected = [n for n in tensors if n not in expected]
    if missing or unexpected:
        raise ValueError(f"{source}: tensor set does not match vittrack-zoo: "
                         f"missing {missing or 'none'}, unexpected {unexpected or 'none'}")
    state = OrderedDict()
    for name, ref in expected.items():
        value = torch.from_numpy(np.array(tensors[name], dtype=np.float32))  # a copy
        if tuple(value.shape) != tuple(ref.shape):
            raise ValueError(f"{source}: tensor {name}: shape {list(value.shape)}, expected "
                             f"{list(ref.shape)}")
        state[name] = value
    model.load_state_dict(state, strict=True)
    n = count_parameters(model)
    if n != EXPECTED_PARAMETERS:
        raise ValueError(f"{source}: {n} parameters, expected {EXPECTED_PARAMETERS}")
    return model.eval()


if __name__ == "__main__":
    m = VitTrackZoo()
    for name, p in m.state_dict().items():
        print(f"{name:40s} {list(p.shape)}")
    print(f"{count_parameters(m)} parameters (expected {EXPECTED_PARAMETERS})")
