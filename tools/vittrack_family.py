"""PyTorch reference of the VitTrack family (shared/spec/models.md, section 3).
Build time only: it defines the family's state_dict and produces the goldens.

    z [B,3,128,128] --patch_embed--> tz [B,64,C]
    x [B,3,256,256] --patch_embed--> tx [B,256,C]
    t = [cls_token; tx; tz] + table [321,C]     (fixed sine-cosine table)
    depth x { t += proj(MHSA(norm1 t));  t += fc2 GELU(fc1 norm2 t) }
    t = norm(t);  feature = t[:, 1:257] as [B,C,16,16]  (token index = 16*y + x)
    box_head -> center or corner (family_common)

Patch embed: standard (one 16x16 s16 conv with bias), conv3x3 or conv2x2 (ConvBN
stages C/8..C, HardSwish). Heads C/64 of 64, MLP ratio 4, qkv with bias.
The table is the MAE/ViT sinusoid: row p, columns 2i and 2i+1 hold sin and cos of
p / 10000^(2i/C); it is not a parameter (not in the state_dict or the blob).
"""

import sys

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import family_common as fc  # noqa: E402

C = fc.C
TOKENS = 1 + fc.SEARCH_TOKENS + fc.TEMPLATE_TOKENS  # 321


def sincos_table(tokens, channels):
    """float64 [tokens, channels]: even columns sin, odd columns cos of
    p / 10000^(2i/channels) (net/vittrack.cpp computes the same in double)."""
    p = np.arange(tokens, dtype=np.float64)[:, None]
    i = np.arange(channels) // 2
    angle = p / np.power(10000.0, 2 * i / channels)
    table = np.empty((tokens, channels), dtype=np.float64)
    table[:, 0::2] = np.sin(angle[:, 0::2])
    table[:, 1::2] = np.cos(angle[:, 1::2])
    return table


class Mlp(nn.Module):
    def __init__(self, channels, hidden):
        super().__init__()
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, t):
        return self.fc2(nn.functional.gelu(self.fc1(t)))


class Block(nn.Module):
    """timm-style pre-norm ViT block."""

    def __init__(self, channels, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(channels, eps=fc.LN_EPS)
        self.attn = fc.MultiHeadAttention(channels, heads, qkv_bias=True)
        self.norm2 = nn.LayerNorm(channels, eps=fc.LN_EPS)
        self.mlp = Mlp(channels, hidden)

    def forward(self, t):
        after_attn = t + self.attn(self.norm1(t))
        return after_attn, after_attn + self.mlp(self.norm2(after_attn))


class VitTrack(fc.Reference):
    def __init__(self, config):
        super().__init__()
        if config["family"] != C.kFamilyVittrack:
            raise ValueError(f"VitTrack: config family {config['family']}, expected {C.kFamilyVittrack}")
        self.config = dict(config)
        ch = config["channels"]
        self.cls_token = nn.Parameter(torch.zeros(1, ch))                     # [1,C]
        self.patch_embed = fc.make_stem(config["patch_embed"], ch)
        self.blocks = nn.ModuleList(Block(ch, config["heads"], config["mlp_ratio"] * ch)
                                    for _ in range(config["depth"]))
        self.norm = nn.LayerNorm(ch, eps=fc.LN_EPS)
        self.box_head = fc.make_head(config)
        self._table = sincos_table(TOKENS, ch)  # float64, converted to the input's dtype

    def _forward(self, z, x, record):
        record("input.z", z)
        record("input.x", x)
        table = torch.from_numpy(self._table).to(z.device, z.dtype)           # [321,C]
        search = slice(1, 1 + fc.SEARCH_TOKENS)
        templ = slice(1 + fc.SEARCH_TOKENS, TOKENS)
        tz = fc.run_stem(self.patch_embed, z) + table[templ]                  # [B,64,C]
        tx = fc.run_stem(self.patch_embed, x) + table[search]                 # [B,256,C]
        record("patch_embed.z", tz)
        record("patch_embed.x", tx)
        cls = (self.cls_token + table[0]).unsqueeze(0).expand(z.shape[0], 1, -1)
        t = torch.cat([cls, tx, tz], dim=1)                                   # [B,321,C]
        for i, block in enumerate(self.blocks):
            after_attn, t = block(t)
            record(f"blocks.{i}.attn", after_attn)
            record(f"blocks.{i}", t)
        t = self.norm(t)
        record("norm", t)
        return self.box_head(fc.search_feature(t[:, search]), record)


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "vit-d3-c128-standard-corner"
    m = VitTrack(fc.parse_config_name(name))
    for key, p in m.state_dict().items():
        print(f"{key:45s} {list(p.shape)}")
    print(f"{name}: {fc.deployed_parameter_count(m)} deployed parameters")
