"""The engine against ONNX Runtime and PyTorch on the same models, one thread,
pinned to one core, interleaved round by round (engine, ORT, PyTorch, engine,
...) so that machine noise hits all three alike. Prints each system's median
over the rounds and the ratios measured in the same run. Build-time tool:
/usr/bin/python3 (torch), node with onnxruntime-node (npm install here).

    cd bench/peers && npm install --ignore-scripts && cd ../..
    /usr/bin/python3 bench/peers/compare.py [--models a,b] [--rounds 7] [--runs 20] [--core 0]

vittrack-zoo runs its own ONNX file in ORT; the families are exported to ONNX
from the project's PyTorch references (same seeded weights as the engine).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_MODELS = ["vittrack-zoo", "et-c128-d3-af-ln-conv3x3-center", "et-c256-d3-fgaf-ln-conv3x3-center",
                  "vit-d3-c256-conv3x3-corner", "vit-d12-c256-conv2x2-corner"]
PEAK_GFLOPS = 112.0  # spec/bench.md: the core's measured FP32 peak


def run_json(command, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"compare: {' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated model names")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per system per round (default 20)")
    parser.add_argument("--core", type=int, default=0, help="CPU core to pin to (default 0)")
    parser.add_argument("--cli", default=os.path.join(ROOT, "build", "efficienttrack"), help="the engine's CLI")
    parser.add_argument("--work", default=os.path.join(ROOT, "build", "peers"), help="folder for ONNX exports")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)

    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE", MKL_NUM_THREADS="1")
    pin = ["taskset", "-c", str(args.core)]
    python = "/usr/bin/python3"
    torch_bench = os.path.join(HERE, "torch_bench.py")
    os.makedirs(args.work, exist_ok=True)
    zoo_onnx = os.path.join(os.environ.get("ET_SHARED_DIR", os.path.join(ROOT, "..", "shared")),
                            "models", "object_tracking_vittrack_2023sep.onnx")
    results = []
    for model in args.models.split(","):
        onnx_path = zoo_onnx if model == "vittrack-zoo" else os.path.join(args.work, model + ".onnx")
        if not os.path.exists(onnx_path):
            run_json([python, torch_bench, "--model", model, "--onnx-out", onnx_path], env)
        info = run_json([args.cli, "inspect", "--model", model, "--json"], env)
        macs = info["macs_per_update"]
        samples = {"engine": [], "onnxruntime": [], "pytorch": []}
        for r in range(args.rounds):
            samples["engine"].append(run_json(pin + [args.cli, "bench", "--model", model, "--runs", str(args.runs),
                                                    "--threads", "1", "--json"], env)["median_ms"])
            samples["onnxruntime"].append(run_json(pin + ["node", os.path.join(HERE, "ort_bench.mjs"), onnx_path,
                                                          "--runs", str(args.runs)], env)["median_ms"])
            samples["pytorch"].append(run_json(pin + [python, torch_bench, "--model", model, "--runs",
                                                      str(args.runs)], env)["median_ms"])
            print(f"{model}: round {r + 1}/{args.rounds}: " +
                  ", ".join(f"{k} {v[-1]:.2f} ms" for k, v in samples.items()), file=sys.stderr)
        med = {k: statistics.median(v) for k, v in samples.items()}
        row = {"model": model, "macs_per_update": macs, **{f"{k}_ms": v for k, v in med.items()},
               "ort_over_engine": med["onnxruntime"] / med["engine"],
               "torch_over_engine": med["pytorch"] / med["engine"],
               "engine_percent_of_peak": 100 * 2 * macs / (med["engine"] * 1e-3) / (PEAK_GFLOPS * 1e9),
               "floor_ms": 2 * macs / (PEAK_GFLOPS * 1e9) * 1e3}
        results.append(row)
    print(f"{'model':36} {'GMAC':>6} {'floor ms':>9} {'engine ms':>10} {'ORT ms':>8} {'torch ms':>9} "
          f"{'ORT/eng':>8} {'torch/eng':>9} {'% peak':>7}")
    for r in results:
        print(f"{r['model']:36} {r['macs_per_update'] / 1e9:6.3f} {r['floor_ms']:9.2f} {r['engine_ms']:10.2f} "
              f"{r['onnxruntime_ms']:8.2f} {r['pytorch_ms']:9.2f} {r['ort_over_engine']:8.2f} "
              f"{r['torch_over_engine']:9.2f} {r['engine_percent_of_peak']:6.1f}%")
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"rounds": args.rounds, "runs": args.runs, "results": results}, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
