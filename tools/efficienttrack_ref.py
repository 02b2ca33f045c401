"""PyTorch reference of EfficientTrack (shared/spec/models.md, section 2). Build
time only: it defines the family's state_dict (the exporter's input layout and,
folded, the blob's tensor names) and produces the goldens.

    z [B,3,128,128] --patch_embed--> [B,64,C]  + pos_embed_z  \\
                                                                concat -> t [B,320,C]
    x [B,3,256,256] --patch_embed--> [B,256,C] + pos_embed_x  /
    depth x { t += ffn0(t) (FAF, FGAF);  t += mixer(t);  t += ffn1(t) }
    t = norm(t);  feature = t[:, 64:] as [B,C,16,16]  (token index = 16*y + x)
    box_head -> center: score [B,1,16,16], size, offset [B,2,16,16]
                corner: tl, br logits [B,1,16,16], box [B,4]

Config (a blob config dict, family_common.parse_config_name): channels C, depth,
heads H (4), block_type AF/FAF/GAF/FGAF, norm bn/ln, patch_embed conv3x3/conv2x2,
head_kind, head_channels, mlp_ratio (FFN hidden / C: 4 for AF and GAF, 2 for FAF
and FGAF), key_dim kd and value_dim d (GA; A uses C/H for both).

Sub-layers (each residual):
  FFN, bn flavour: fc2 ReLU(fc1 x), fc1/fc2 1x1 convs with BatchNorm, no conv bias.
  FFN, ln flavour: fc2 GELU(fc1 norm(x)), linear layers with biases.
  A mixer: proj(MHSA(norm(x))), qkv C->3C without bias, proj with bias, H heads of
    C/H, scale (C/H)^-0.5 (both flavours have the LayerNorm).
  GA mixer: [norm (ln only)], qkv = grouped 1x1 conv with bias (groups H; group h
    reads channels [h*C/H, (h+1)*C/H) and writes [q_h (kd), k_h (kd), v_h (d)]),
    per head softmax(q_h k_h^T kd^-0.5) v_h, heads concatenated (H*d), ReLU,
    proj = 1x1 conv H*d->C with bias and BatchNorm.
"""

import sys

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import torch  # noqa: E402
from torch import nn  # noqa: E402

import family_common as fc  # noqa: E402

C = fc.C


class Ffn(nn.Module):
    def __init__(self, channels, hidden, batch_norm):
        super().__init__()
        self.batch_norm = batch_norm
        if batch_norm:
            self.fc1 = fc.ConvBN(channels, hidden, 1)
            self.fc2 = fc.ConvBN(hidden, channels, 1)
        else:
            self.norm = nn.LayerNorm(channels, eps=fc.LN_EPS)
            self.fc1 = nn.Linear(channels, hidden)
            self.fc2 = nn.Linear(hidden, channels)

    def forward(self, t):                                           # [B,N,C]
        if self.batch_norm:
            return fc.pointwise(self.fc2, torch.relu(fc.pointwise(self.fc1, t)))
        return self.fc2(nn.functional.gelu(self.fc1(self.norm(t))))  # exact erf GELU


class GroupAttention(nn.Module):
    def __init__(self, channels, heads, key_dim, value_dim, layer_norm):
        super().__init__()
        if layer_norm:
            self.norm = nn.LayerNorm(channels, eps=fc.LN_EPS)
        self.qkv = nn.Conv2d(channels, heads * (2 * key_dim + value_dim), 1, groups=heads, bias=True)
        self.proj = fc.ConvBN(heads * value_dim, channels, 1, bias=True)
        self.qk, self.av = fc.MatMul(), fc.MatMul()
        self.heads, self.key_dim, self.value_dim = heads, key_dim, value_dim

    def forward(self, t):                                           # [B,N,C]
        if hasattr(self, "norm"):
            t = self.norm(t)
        b, n, _ = t.shape
        kd, d = self.key_dim, self.value_dim
        qkv = fc.pointwise(self.qkv, t).reshape(b, n, self.heads, 2 * kd + d).transpose(1, 2)
        q, k, v = qkv.split([kd, kd, d], dim=-1)                    # [B,H,N,kd|kd|d]
        o = fc.attention_heads(self, q, k, v, kd ** -0.5)           # [B,H,N,d]
        o = torch.relu(o.transpose(1, 2).reshape(b, n, self.heads * d))
        return fc.pointwise(self.proj, o)


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        ch, bn = config["channels"], config["norm"] == C.kNormBatchNorm
        hidden = config["mlp_ratio"] * ch
        block = config["block_type"]
        if block in (C.kBlockFAF, C.kBlockFGAF):
            self.ffn0 = Ffn(ch, hidden, bn)
        if block in (C.kBlockGAF, C.kBlockFGAF):
            self.mixer = GroupAttention(ch, config["heads"], config["key_dim"], config["value_dim"],
                                        layer_norm=not bn)
        else:
            self.mixer = fc.MultiHeadAttention(ch, config["heads"], qkv_bias=False, norm=True)
        self.ffn1 = Ffn(ch, hidden, bn)

    def forward(self, t, record, name):
        if hasattr(self, "ffn0"):
            t = t + self.ffn0(t)
            record(f"{name}.ffn0", t)
        t = t + self.mixer(t)
        record(f"{name}.mixer", t)
        t = t + self.ffn1(t)
        record(name, t)
        return t


class EfficientTrack(fc.Reference):
    def __init__(self, config):
        super().__init__()
        if config["family"] != C.kFamilyEfficientTrack:
            raise ValueError(f"EfficientTrack: config family {config['family']}, expected "
                             f"{C.kFamilyEfficientTrack}")
        self.config = dict(config)
        ch = config["channels"]
        # Own parameters come first in the state_dict (and so in the blob).
        self.pos_embed_z = nn.Parameter(torch.zeros(fc.TEMPLATE_TOKENS, ch))   # [64,C]
        self.pos_embed_x = nn.Parameter(torch.zeros(fc.SEARCH_TOKENS, ch))     # [256,C]
        self.patch_embed = fc.make_stem(config["patch_embed"], ch)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config["depth"]))
        self.norm = nn.LayerNorm(ch, eps=fc.LN_EPS)
        self.box_head = fc.make_head(config)

    def _forward(self, z, x, record):
        record("input.z", z)
        record("input.x", x)
        tz = fc.run_stem(self.patch_embed, z) + self.pos_embed_z               # [B,64,C]
        tx = fc.run_stem(self.patch_embed, x) + self.pos_embed_x               # [B,256,C]
        record("patch_embed.z", tz)
        record("patch_embed.x", tx)
        t = torch.cat([tz, tx], dim=1)                                          # [B,320,C]
        for i, block in enumerate(self.blocks):
            t = block(t, record, f"blocks.{i}")
        t = self.norm(t)
        record("norm", t)
        return self.box_head(fc.search_feature(t[:, fc.TEMPLATE_TOKENS:]), record)


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "et-c128-d3-af-ln-conv3x3-center"
    m = EfficientTrack(fc.parse_config_name(name))
    for key, p in m.state_dict().items():
        print(f"{key:45s} {list(p.shape)}")
    print(f"{name}: {fc.deployed_parameter_count(m)} deployed parameters, "
          f"{sum(p.numel() for p in m.parameters())} nn.Module parameters")
