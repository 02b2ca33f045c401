"""Check the PyTorch reference against the independent golden (a CTest test).

    check_reference.py --onnx object_tracking_vittrack_2023sep.onnx \
                       --npz vittrack_randn_io.npz

Builds VitTrackZoo from the ONNX file (the exporter's mapping), runs it in
float32 and in float64 on the npz's inputs z [1,3,128,128], x [1,3,256,256],
and compares with the npz's outputs o1 score [1,1,16,16], o2 size
[1,2,16,16], o3 offset [1,2,16,16], which a separate implementation computed.
Exits 1 if any max abs error exceeds the tolerance.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import numpy as np  # noqa: E402
import torch  # noqa: E402

import blobfile  # noqa: E402
import export_onnx  # noqa: E402
import vittrack_zoo as zoo  # noqa: E402

TOLERANCE = 1e-5  # max abs error; outputs are O(1), the golden is float32

# npz key -> (what, expected shape); the order of VitTrackZoo's outputs.
NPZ_INPUTS = {"z": (1, 3, zoo.TEMPLATE_SIZE, zoo.TEMPLATE_SIZE),
              "x": (1, 3, zoo.SEARCH_SIZE, zoo.SEARCH_SIZE)}
NPZ_OUTPUTS = {"o1": ("score", (1, 1, 16, 16)), "o2": ("size", (1, 2, 16, 16)),
               "o3": ("offset", (1, 2, 16, 16))}


def load_npz(path):
    """The golden's arrays as float32, with the keys and shapes checked."""
    try:
        with np.load(path) as f:
            data = {k: f[k] for k in f.files}
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read the golden npz: {e}") from e
    expected = dict(NPZ_INPUTS, **{k: shape for k, (_, shape) in NPZ_OUTPUTS.items()})
    for key, shape in expected.items():
        if key not in data:
            raise ValueError(f"{path}: array '{key}' missing (has {sorted(data)})")
        if data[key].shape != shape:
            raise ValueError(f"{path}: array '{key}': shape {list(data[key].shape)}, expected "
                             f"{list(shape)}")
        if not np.isfinite(data[key]).all():
            raise ValueError(f"{path}: array '{key}' has NaN or Inf")
    return {k: v.astype(np.float32) for k, v in data.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Compare the vittrack-zoo PyTorch reference (weights from the ONNX file) "
                    f"with the independent golden npz; fails above {TOLERANCE:g} max abs error.")
    parser.add_argument("--onnx", required=True, help="object_tracking_vittrack_2023sep.onnx")
    parser.add_argument("--npz", required=True, help="vittrack_randn_io.npz (z, x, o1, o2, o3)")
    args = parser.parse_args(argv)
    try:
        model = export_onnx.model_from_onnx(args.onnx)
        golden = load_npz(args.npz)
    except (export_onnx.GraphError, blobfile.BlobError, ValueError, OSError) as e:
        print(f"check_reference: error: {e}", file=sys.stderr)
        return 1

    print(f"check_reference: vittrack-zoo reference ({os.path.basename(args.onnx)}) vs "
          f"{os.path.basename(args.npz)}; pass if max abs error <= {TOLERANCE:g}")
    failed = False
    for dtype in (torch.float32, torch.float64):
        m = model.to(dtype)
        z, x = (torch.from_numpy(golden[k]).to(dtype) for k in ("z", "x"))
        with torch.no_grad():
            outputs = m(z, x)
        for (key, (what, _)), out in zip(NPZ_OUTPUTS.items(), outputs):
            err = float(np.abs(out.double().numpy() - golden[key].astype(np.float64)).max())
            ok = err <= TOLERANCE
            failed |= not ok
            print(f"  {str(dtype).replace('torch.', ''):8s} {key} {what:7s} max abs error "
                  f"{err:.3e}  {'ok' if ok else 'FAIL'}")
    print("check_reference: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
