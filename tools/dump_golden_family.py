"""Dump golden activations of EfficientTrack / VitTrack-family configs for the
engine's parity tests, and the seeded weight blobs they were computed with.

    dump_golden_family.py --out-dir golden/family --configs et-c128-d2-af-bn-conv3x3-center:11 ...
    dump_golden_family.py --out-dir golden/family --list tests/family_goldens.txt

For each NAME:SEED the model gets seeded random weights (family_common, the same
the engine builds for --model NAME --seed SEED) and two files are written:
  NAME_seedSEED.weights.etb  the blob as tools/export_family.py --seed writes it
                             (BatchNorm folded, float32): the engine's blob must be
                             byte-identical to it;
  NAME_seedSEED.etb          family-0 blob: input.z [3,128,128] and input.x
                             [3,256,256] drawn N(0,1) from torch.Generator seeded
                             with SEED, then every intermediate of the reference run
                             in float64 with BatchNorm unfolded (eval statistics),
                             stored float32: patch_embed.z [64,C], patch_embed.x
                             [256,C], blocks.i.ffn0 / .mixer / .attn and blocks.i
                             [N,C], norm [N,C], head.score/size/offset or
                             head.tl/br [1,16,16] and head.box [4].
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import torch  # noqa: E402

import blobfile  # noqa: E402
import export_family  # noqa: E402
import family_common as fc  # noqa: E402

GOLDEN_CONFIG = {"family": blobfile.CONST.kFamilyNone}  # every other field 0


def read_list(path):
    """NAME:SEED entries of a list file: `NAME SEED` per line, '#' starts a comment."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 2 or not words[1].isdigit():
                raise ValueError(f"{path}:{number}: got {line.strip()!r}, expected 'CONFIG-NAME SEED'")
            entries.append(f"{words[0]}:{words[1]}")
    return entries


def dump(name, seed, out_dir):
    config, model = export_family.random_model(name, seed)
    stem = os.path.join(out_dir, f"{name}_seed{seed}")
    export_family.write(model, config, stem + ".weights.etb")
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(1, 3, fc.TEMPLATE_SIZE, fc.TEMPLATE_SIZE, generator=gen)
    x = torch.randn(1, 3, fc.SEARCH_SIZE, fc.SEARCH_SIZE, generator=gen)
    with torch.no_grad():
        acts = model.double().forward_with_intermediates(z.double(), x.double())
    tensors = [(key, t.float().numpy()) for key, t in acts.items()]
    blobfile.write_blob(stem + ".etb", GOLDEN_CONFIG, tensors)
    return len(tensors)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write family goldens (float64 reference, stored "
                                                 "float32) and their seeded weight blobs.")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--configs", nargs="*", default=[], help="NAME:SEED entries")
    parser.add_argument("--list", help="a file of 'NAME SEED' lines")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    try:
        entries = list(args.configs) + (read_list(args.list) if args.list else [])
        for entry in entries:
            name, _, seed = entry.rpartition(":")
            if not name or not seed.isdigit():
                raise ValueError(f"--configs: got {entry!r}, expected NAME:SEED")
            start = time.time()
            count = dump(name, int(seed), args.out_dir)
            print(f"dump_golden_family: {name} seed {seed}: {count} tensors ({time.time() - start:.1f} s)")
    except (blobfile.BlobError, ValueError, OSError) as e:
        print(f"dump_golden_family: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
