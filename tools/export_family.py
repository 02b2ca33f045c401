"""Export an EfficientTrack or VitTrack-family model to the engine's weight blob.

    export_family.py --config et-c256-d3-fgaf-bn-conv3x3-center --seed 7 --out m.etb
    export_family.py --config vit-d12-c256-conv2x2-corner --state-dict sd.pt --out m.etb

--config is a config name (net/config_names.h, family_common.parse_config_name).
--seed N draws every state_dict entry (BatchNorm statistics included) from its
own (seed, name) stream: the blob is byte-identical to what the engine builds for
`--model NAME --seed N`. --state-dict PATH reads a torch.save'd state_dict in the
references' layout (tools/efficienttrack_ref.py, tools/vittrack_family.py; a dict
holding it under "state_dict" or "model" also works). BatchNorm is folded into
the preceding convs in float32 either way.
"""

import argparse
import sys

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import torch  # noqa: E402

import blobfile  # noqa: E402
import efficienttrack_ref  # noqa: E402
import family_common as fc  # noqa: E402
import vittrack_family  # noqa: E402


def build_model(config):
    """The reference for a blob config (family 2 or 3), weights uninitialised."""
    if config["family"] == fc.C.kFamilyEfficientTrack:
        return efficienttrack_ref.EfficientTrack(config).eval()
    if config["family"] == fc.C.kFamilyVittrack:
        return vittrack_family.VitTrack(config).eval()
    raise ValueError(f"config family {config['family']}: expected {fc.C.kFamilyEfficientTrack} "
                     f"(efficienttrack) or {fc.C.kFamilyVittrack} (vittrack)")


def random_model(name, seed):
    """(config, model) of a config name with seeded random weights."""
    config = fc.parse_config_name(name)
    return config, fc.load_random_weights(build_model(config), seed)


def state_dict_model(name, path):
    """(config, model) of a config name with the weights of a saved state_dict."""
    config = fc.parse_config_name(name)
    model = build_model(config)
    try:
        state = torch.load(path, map_location="cpu")
    except (OSError, RuntimeError, EOFError) as e:
        raise ValueError(f"{path}: cannot read a state_dict: {e}") from e
    if isinstance(state, dict) and len(state) == 1 and next(iter(state)) in ("state_dict", "model"):
        state = next(iter(state.values()))
    if not isinstance(state, dict):
        raise ValueError(f"{path}: got a {type(state).__name__}, expected a state_dict (name -> tensor)")
    expected = model.state_dict()
    missing = [k for k in expected if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        raise ValueError(f"{path}: tensor set does not match {name}: missing {missing or 'none'}, "
                         f"unexpected {unexpected or 'none'}")
    for key, value in state.items():
        if tuple(value.shape) != tuple(expected[key].shape):
            raise ValueError(f"{path}: tensor {key}: shape {list(value.shape)}, expected "
                             f"{list(expected[key].shape)}")
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    return config, model.eval()


def write(model, config, out):
    tensors = fc.blob_tensors(model)
    return blobfile.write_blob(out, config, tensors), len(tensors)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Export an EfficientTrack / VitTrack-family model "
                                                 "(BatchNorm folded) to a weight blob (.etb).")
    parser.add_argument("--config", required=True, help=f"{fc.ET_GRAMMAR} or {fc.VIT_GRAMMAR}")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--seed", type=int, help="seeded random weights (the engine's --seed)")
    source.add_argument("--state-dict", help="a torch.save'd state_dict in the reference's layout")
    parser.add_argument("--out", required=True, help="output blob path")
    args = parser.parse_args(argv)
    try:
        if args.seed is not None:
            if args.seed < 0 or args.seed >= 2 ** 64:
                raise ValueError(f"--seed: got {args.seed}, expected 0..2^64-1")
            config, model = random_model(args.config, args.seed)
        else:
            config, model = state_dict_model(args.config, args.state_dict)
        size, count = write(model, config, args.out)
    except (blobfile.BlobError, ValueError, OSError) as e:
        print(f"export_family: error: {e}", file=sys.stderr)
        return 1
    print(f"export_family: wrote {args.out} ({count} tensors, {size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
