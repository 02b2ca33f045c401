"""The engine against ONNX Runtime and PyTorch on the same models, one thread,
pinned to one core, interleaved round by round (engine, ORT, PyTorch; the
next round starts with ORT, the one after with PyTorch, ...) so that machine
noise hits all three alike. Prints each system's median over the rounds and
the ratios measured in the same run; the ratios within each round (the
systems a few seconds apart, so a host that changes speed between minutes
moves both sides), their median and range; then each system's best single
run (what it does when a shared host lets it). The floor (2 x MACs / the
core's FMA peak) takes the highest peak the core showed during the model's
rounds; each round also measures the peak (a probe of ~0.3 s among the
systems), and the engine's time over that round's own floor is reported per
round too: on a shared host the peak on offer moves with the neighbours as
the models' times do. Build-time tool:
/usr/bin/python3 (torch), node with onnxruntime-node (npm install here).

    bench/peers/setup.sh    # onnxruntime-node (npm) and OpenBLAS for PyTorch
    /usr/bin/python3 bench/peers/compare.py [--models a,b] [--rounds 7] [--runs 20] [--core 0]

vittrack-zoo runs its own ONNX file in ORT; the families are exported to ONNX
from the project's PyTorch references (same seeded weights as the engine).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_MODELS = ["vittrack-zoo", "et-c128-d3-af-ln-conv3x3-center", "et-c256-d3-fgaf-ln-conv3x3-center",
                  "vit-d3-c256-conv3x3-corner", "vit-d12-c256-conv2x2-corner"]


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
    parser.add_argument("--peak", type=float, help="the core's FP32 peak in GFLOP/s for the floor and %% peak "
                        "(default: measured on --core by et_bench_kernels --peak-only in every round)")
    parser.add_argument("--bench-kernels", default=os.path.join(ROOT, "build", "et_bench_kernels"),
                        help="the kernel benchmark that measures the peak")
    args = parser.parse_args(argv)

    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE", MKL_NUM_THREADS="1")
    pin = ["taskset", "-c", str(args.core)]
    python = "/usr/bin/python3"
    torch_bench = os.path.join(HERE, "torch_bench.py")
    os.makedirs(args.work, exist_ok=True)
    zoo_onnx = os.path.join(os.environ.get("ET_SHARED_DIR", os.path.join(ROOT, "..", "shared")),
                            "models", "object_tracking_vittrack_2023sep.onnx")
    # The floor (2 x MACs / peak) of the core the comparison runs on: the
    # spec's 112 GFLOP/s is another machine's.
    peak_command = pin + [args.bench_kernels, "--peak-only", "--json"]
    if args.peak is None:
        first_peak = run_json(peak_command, env)["peak_gflops"]
        print(f"FP32 peak of core {args.core}: {first_peak:.1f} GFLOP/s now, measured again every round",
              flush=True)
    else:
        print(f"FP32 peak of core {args.core}: {args.peak:.1f} GFLOP/s (given)", flush=True)
    results = []
    for model in args.models.split(","):
        onnx_path = zoo_onnx if model == "vittrack-zoo" else os.path.join(args.work, model + ".onnx")
        if not os.path.exists(onnx_path):
            run_json([python, torch_bench, "--model", model, "--onnx-out", onnx_path], env)
        info = run_json([args.cli, "inspect", "--model", model, "--json"], env)
        macs = info["macs_per_update"]
        # Per system and round: the median wall time and the median process
        # CPU time of one forward pass. The engine's is an update (template
        # cached, as a tracker runs it); "engine_full" adds the template
        # branch, which the ONNX graphs recompute on every call.
        systems = ["engine", "engine_full", "onnxruntime", "pytorch"]
        wall = {k: [] for k in systems}
        cpu = {k: [] for k in systems}
        best = {k: math.inf for k in ("engine", "onnxruntime", "pytorch")}  # fastest single run, any round
        round_ratios = {"onnxruntime": [], "pytorch": []}  # peer / engine within each round
        round_peaks, engine_over_round_floor = [], []
        commands = {
            "engine": pin + [args.cli, "bench", "--model", model, "--runs", str(args.runs), "--threads", "1", "--json"],
            "onnxruntime": pin + ["node", os.path.join(HERE, "ort_bench.mjs"), onnx_path, "--runs", str(args.runs)],
            "pytorch": pin + [python, torch_bench, "--model", model, "--runs", str(args.runs)],
        }
        if args.peak is None:
            commands["peak"] = peak_command
        order = list(commands)
        for r in range(args.rounds):
            # Each round starts with the next system: a host that changes speed
            # between minutes (a shared core) favours no system by position.
            start = r % len(order)
            out = {k: run_json(commands[k], env) for k in order[start:] + order[:start]}
            e, o, t = out["engine"], out["onnxruntime"], out["pytorch"]
            round_peaks.append(out["peak"]["peak_gflops"] if args.peak is None else args.peak)
            engine_over_round_floor.append(e["median_ms"] * 1e-3 / (2 * macs / (round_peaks[-1] * 1e9)))
            for k in best:
                best[k] = min(best[k], out[k]["min_ms"])
            if t.get("blas") == "reference":
                print("compare: warning: PyTorch runs on the reference BLAS (10-20x slower than it should); "
                      "run bench/peers/setup.sh to install OpenBLAS", file=sys.stderr)
            for k, wall_ms, cpu_ms in (("engine", e["median_ms"], e["cpu_median_ms"]),
                                       ("engine_full", e["full_median_ms"], None),
                                       ("onnxruntime", o["median_ms"], o["cpu_median_ms"]),
                                       ("pytorch", t["median_ms"], t["cpu_median_ms"])):
                wall[k].append(wall_ms)
                if cpu_ms is not None:
                    cpu[k].append(cpu_ms)
            for k in round_ratios:
                round_ratios[k].append(out[k]["median_ms"] / e["median_ms"])
            print(f"{model}: round {r + 1}/{args.rounds}: " +
                  ", ".join(f"{k} {wall[k][-1]:.2f} ms (cpu {cpu[k][-1]:.2f})" for k in ("engine", "onnxruntime",
                                                                                       "pytorch")),
                  file=sys.stderr)
        peak = max(round_peaks)  # the floor: the best the core showed during the rounds
        med = {k: statistics.median(v) for k, v in wall.items()}
        cpu_med = {k: statistics.median(v) for k, v in cpu.items() if v}
        row = {"model": model, "macs_per_update": macs, **{f"{k}_ms": v for k, v in med.items()},
               **{f"{k}_cpu_ms": v for k, v in cpu_med.items()},
               "ort_over_engine": med["onnxruntime"] / med["engine"],
               "torch_over_engine": med["pytorch"] / med["engine"],
               "ort_over_engine_full": med["onnxruntime"] / med["engine_full"],
               "ort_over_engine_cpu": cpu_med["onnxruntime"] / cpu_med["engine"],
               "torch_over_engine_cpu": cpu_med["pytorch"] / cpu_med["engine"],
               **{f"{short}_over_engine_rounds": round_ratios[k] for short, k in (("ort", "onnxruntime"),
                                                                                  ("torch", "pytorch"))},
               "engine_percent_of_peak": 100 * 2 * macs / (med["engine"] * 1e-3) / (peak * 1e9),
               **{f"{k}_best_ms": v for k, v in best.items()},
               "ort_over_engine_best": best["onnxruntime"] / best["engine"],
               "engine_best_percent_of_peak": 100 * 2 * macs / (best["engine"] * 1e-3) / (peak * 1e9),
               "floor_ms": 2 * macs / (peak * 1e9) * 1e3, "peak_gflops": peak, "round_peaks_gflops": round_peaks,
               "engine_over_floor": med["engine"] / (2 * macs / (peak * 1e9) * 1e3),
               "engine_over_round_floor_rounds": engine_over_round_floor}
        results.append(row)
    print("wall time, median of the rounds' medians (ms); ratios = peer / engine update; floor = 2 x MACs / the "
          "highest peak of the model's rounds")
    print(f"{'model':36} {'GMAC':>6} {'floor':>6} {'engine':>7} {'+tmpl':>7} {'ORT':>7} {'torch':>7} "
          f"{'ORT/eng':>8} {'ORT/+tmpl':>9} {'torch/eng':>9} {'% peak':>7}")
    for r in results:
        print(f"{r['model']:36} {r['macs_per_update'] / 1e9:6.3f} {r['floor_ms']:6.2f} {r['engine_ms']:7.2f} "
              f"{r['engine_full_ms']:7.2f} {r['onnxruntime_ms']:7.2f} {r['pytorch_ms']:7.2f} "
              f"{r['ort_over_engine']:8.2f} {r['ort_over_engine_full']:9.2f} {r['torch_over_engine']:9.2f} "
              f"{r['engine_percent_of_peak']:6.1f}%")
    print("\nprocess CPU time (leaves out what other processes took from the core), median (ms)")
    print(f"{'model':36} {'engine':>7} {'ORT':>7} {'torch':>7} {'ORT/eng':>8} {'torch/eng':>9}")
    for r in results:
        print(f"{r['model']:36} {r['engine_cpu_ms']:7.2f} {r['onnxruntime_cpu_ms']:7.2f} {r['pytorch_cpu_ms']:7.2f} "
              f"{r['ort_over_engine_cpu']:8.2f} {r['torch_over_engine_cpu']:9.2f}")
    print("\nratios within each round (peer median / engine median; engine median / the floor of the peak "
          "measured in that round): median [min, max]")
    print(f"{'model':36} {'peak GFLOP/s':>20} {'ORT/eng':>20} {'torch/eng':>20} {'eng/round floor':>20}")
    for r in results:
        cells = []
        for v, digits in ((r["round_peaks_gflops"], 1), (r["ort_over_engine_rounds"], 2),
                          (r["torch_over_engine_rounds"], 2), (r["engine_over_round_floor_rounds"], 2)):
            cells.append(f"{statistics.median(v):.{digits}f} [{min(v):.{digits}f}, {max(v):.{digits}f}]")
        print(f"{r['model']:36} " + " ".join(f"{c:>20}" for c in cells))
    print("\nbest single run of all rounds (ms): what each system does when the host lets it; compare with the "
          "floor")
    print(f"{'model':36} {'floor':>6} {'engine':>7} {'ORT':>7} {'torch':>7} {'ORT/eng':>8} {'% peak':>7}")
    for r in results:
        print(f"{r['model']:36} {r['floor_ms']:6.2f} {r['engine_best_ms']:7.2f} {r['onnxruntime_best_ms']:7.2f} "
              f"{r['pytorch_best_ms']:7.2f} {r['ort_over_engine_best']:8.2f} {r['engine_best_percent_of_peak']:6.1f}%")
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"rounds": args.rounds, "runs": args.runs, "results": results}, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
