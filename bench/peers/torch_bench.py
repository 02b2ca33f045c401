"""Times one model in PyTorch (eager, or TorchScript with --script), one
thread, and optionally exports it to ONNX for ONNX Runtime. Build-time
Python, run with Debian's /usr/bin/python3. Prints one JSON line.

    torch_bench.py --model vittrack-zoo --runs 50
    torch_bench.py --model et-c256-d3-fgaf-ln-conv3x3-center --seed 0 --runs 50 [--script]
    torch_bench.py --model vit-d3-c256-conv3x3-corner --onnx-out m.onnx   # export only

Models are the project's PyTorch references: vittrack-zoo is rebuilt from the
shared ONNX file; family names get the seeded random weights the engine
builds for the same --seed (tools/export_family.py).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import torch  # noqa: E402

DEFAULT_ONNX = os.path.join(HERE, "..", "..", "..", "shared", "models", "object_tracking_vittrack_2023sep.onnx")


def loaded_blas():
    """The BLAS library PyTorch's matmuls ended up in (Debian's torch calls
    whatever libblas.so.3 points at): 'reference' warns of a 10-20x slower,
    unfair peer (bench/peers/setup.sh installs OpenBLAS)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return "unknown"
    for name in ("mkl", "openblas", "blis"):
        if f"lib{name}" in maps:
            return name
    return "reference" if "/blas/libblas.so" in maps else "unknown"


def build(name, seed, zoo_onnx):
    if name == "vittrack-zoo":
        import export_onnx
        return export_onnx.model_from_onnx(zoo_onnx).eval()
    import export_family
    return export_family.random_model(name, seed)[1].eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="vittrack-zoo or a config name (et-..., vit-...)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs after the warm-up (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    parser.add_argument("--script", action="store_true", help="time TorchScript (torch.jit.trace) instead of eager")
    parser.add_argument("--onnx-out", help="export to this ONNX file (opset 14) and exit")
    parser.add_argument("--zoo-onnx", default=os.environ.get("ET_SHARED_DIR") and os.path.join(
        os.environ["ET_SHARED_DIR"], "models", "object_tracking_vittrack_2023sep.onnx") or DEFAULT_ONNX,
        help="the shared vittrack-zoo ONNX file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")

    torch.set_num_threads(1)
    torch.manual_seed(0)
    blas = loaded_blas()
    model = build(args.model, args.seed, args.zoo_onnx)
    z = torch.randn(1, 3, 128, 128)
    x = torch.randn(1, 3, 256, 256)
    if args.onnx_out:
        tmp = args.onnx_out + ".tmp"
        torch.onnx.export(model, (z, x), tmp, opset_version=14, input_names=["template", "search"],
                          do_constant_folding=True)
        os.replace(tmp, args.onnx_out)
        print(json.dumps({"model": args.model, "onnx": args.onnx_out}))
        return 0
    with torch.no_grad():
        runner = torch.jit.trace(model, (z, x)) if args.script else model
        for _ in range(args.warmup):
            runner(z, x)
        # Wall time, and the process's CPU time, which leaves out the slices
        # other processes take from the core on a shared machine.
        times, cpu_times = [], []
        for _ in range(args.runs):
            cpu_start = time.process_time()
            start = time.perf_counter()
            runner(z, x)
            times.append((time.perf_counter() - start) * 1e3)
            cpu_times.append((time.process_time() - cpu_start) * 1e3)
    times.sort()
    print(json.dumps({"system": "pytorch-" + ("script" if args.script else "eager"), "version": torch.__version__,
                      "model": args.model, "runs": args.runs, "min_ms": times[0],
                      "median_ms": statistics.median(times), "max_ms": times[-1],
                      "cpu_min_ms": min(cpu_times), "cpu_median_ms": statistics.median(cpu_times),
                      "blas": blas}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
