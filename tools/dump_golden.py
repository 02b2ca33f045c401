"""Dump golden activations of vittrack-zoo for the engine's parity tests.

    dump_golden.py --blob vittrack-zoo.etb --seeds 1 2 --out-dir golden \
                   --randn-npz vittrack_randn_io.npz

For each seed: z [1,3,128,128] then x [1,3,256,256] drawn from N(0,1) with
torch.Generator().manual_seed(seed); the reference runs in float64 on them and
every intermediate of forward_with_intermediates (batch dim dropped) is stored
as float32 in OUT_DIR/vittrack_zoo_seed{seed}.etb. The inputs are stored as
drawn (float32), so the engine sees exactly what the reference saw.

The independent golden npz is converted, values untouched, to
OUT_DIR/vittrack_randn_io.etb: input.z, input.x, head.score (o1),
head.size (o2), head.offset (o3).

All goldens are family-0 blobs (a plain tensor table; every config field 0).
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import torch  # noqa: E402

import blobfile  # noqa: E402
import vittrack_zoo as zoo  # noqa: E402
from check_reference import load_npz  # noqa: E402

GOLDEN_CONFIG = {"family": blobfile.CONST.kFamilyNone}  # every other field 0

# Golden tensor name <- npz key; batch dim dropped.
NPZ_TO_GOLDEN = (("input.z", "z"), ("input.x", "x"), ("head.score", "o1"), ("head.size", "o2"),
                 ("head.offset", "o3"))


def load_model(blob_path):
    """VitTrackZoo with the blob's weights; the blob's config must be vittrack-zoo's."""
    config, tensors = blobfile.read_blob(blob_path)
    expected = zoo.blob_config()
    wrong = [f"{k}={config[k]} (expected {v})" for k, v in expected.items() if config[k] != v]
    if wrong:
        raise ValueError(f"{blob_path}: not a vittrack-zoo blob: config {', '.join(wrong)}")
    return zoo.model_from_state(tensors, blob_path)


def seed_golden(model, seed):
    """[(name, float32 array)] of every intermediate for the seed's random inputs."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(1, 3, zoo.TEMPLATE_SIZE, zoo.TEMPLATE_SIZE, generator=gen)
    x = torch.randn(1, 3, zoo.SEARCH_SIZE, zoo.SEARCH_SIZE, generator=gen)
    with torch.no_grad():
        acts = model.double().forward_with_intermediates(z.double(), x.double())
    return [(name, t.float().numpy()) for name, t in acts.items()]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write vittrack-zoo golden activations (float64 reference, stored float32) "
                    "and convert the independent golden npz, as family-0 .etb blobs.")
    parser.add_argument("--blob", required=True, help="vittrack-zoo weight blob (.etb)")
    parser.add_argument("--seeds", required=True, type=int, nargs="+",
                        help="seeds of the random-normal inputs, one golden each")
    parser.add_argument("--out-dir", required=True, help="folder for the golden .etb files")
    parser.add_argument("--randn-npz", required=True,
                        help="independent golden vittrack_randn_io.npz (z, x, o1, o2, o3)")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.blob)
        golden = load_npz(args.randn_npz)
        written = []
        for seed in args.seeds:
            path = os.path.join(args.out_dir, f"vittrack_zoo_seed{seed}.etb")
            tensors = seed_golden(model, seed)
            blobfile.write_blob(path, GOLDEN_CONFIG, tensors)
            written.append(f"{os.path.basename(path)} ({len(tensors)} tensors)")
        path = os.path.join(args.out_dir, "vittrack_randn_io.etb")
        blobfile.write_blob(path, GOLDEN_CONFIG,
                            [(name, golden[key][0]) for name, key in NPZ_TO_GOLDEN])
        written.append(f"{os.path.basename(path)} ({len(NPZ_TO_GOLDEN)} tensors)")
    except (blobfile.BlobError, ValueError, OSError) as e:
        print(f"dump_golden: error: {e}", file=sys.stderr)
        return 1
    print(f"dump_golden: wrote {', '.join(written)} to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
