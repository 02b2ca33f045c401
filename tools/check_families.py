"""Checks of the research families' Python side against the engine (CTest tests).

    check_families.py counts --cli build/efficienttrack
    check_families.py export --tmp-dir DIR

counts: for each config, `efficienttrack inspect --json --model NAME --seed 1`
must report the same config, the same parameters and MACs per stage, and the
same totals as the PyTorch reference (family_common.count_costs: forward hooks
on Conv2d, Linear and the two attention products; parameters of the
BatchNorm-folded blob). Then the counts are set against the research notes'
tables (thop counts: no position tables, no attention products), within 0.5 %
(parameters) and 1 % (MACs), and printed.

export: a state_dict saved with torch.save and exported with --state-dict gives
the same bytes as --seed export of the same weights; a state_dict with a missing
or misshapen tensor is refused with a message naming it.
"""

import argparse
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # the build runs these from the source tree; keep it clean

import torch  # noqa: E402

import export_family  # noqa: E402
import family_common as fc  # noqa: E402

# The five configs, then one of each remaining kind.
COUNT_CONFIGS = (
    "et-c128-d3-af-ln-conv3x3-center", "et-c256-d3-fgaf-ln-conv3x3-center", "et-c256-d3-af-ln-conv3x3-center",
    "vit-d12-c256-conv2x2-corner", "vit-d3-c128-standard-corner",
    "et-c128-d2-gaf-bn-conv2x2-corner", "et-c256-d2-faf-bn-conv2x2-center", "vit-d2-c192-conv3x3-center",
)

# Research notes (shared/seed/research-notes.md), thop counts: (parameters, MACs).
# EfficientTrack rows: head channels 128 (center). The VitTrack table's rows
# match the conv2x2 stem and a 256-channel center head (OSTrack's default), so
# they are compared with that variant, built here only (no config name has it).
NOTES = (
    ("EfficientTrack C128 D3 AF", "et-c128-d3-af-ln-conv3x3-center", None, 1.428e6, 460e6),
    ("EfficientTrack C256 D3 FGAF", "et-c256-d3-fgaf-ln-conv3x3-center", None, 3.417e6, 1194e6),
    ("EfficientTrack C256 D3 AF", "et-c256-d3-af-ln-conv3x3-center", None, 3.932e6, 1359e6),
    ("vittrack d3c128", "vit-d3-c128-conv2x2-center", 256, 2.689e6, 753e6),
    ("vittrack d12c256", "vit-d12-c256-conv2x2-center", 256, 12.586e6, 3918e6),
)


def fail(message):
    print(f"check_families: FAIL: {message}", file=sys.stderr)
    return 1


def inspect_json(cli, name, seed):
    out = subprocess.run([cli, "inspect", "--json", "--model", name, "--seed", str(seed)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def reference_costs(name, head_channels=None):
    """(config, costs) of a config name, optionally with another head width."""
    config = fc.parse_config_name(name)
    if head_channels is not None:
        config["head_channels"] = head_channels
    model = fc.load_random_weights(export_family.build_model(config), 1)
    return config, fc.count_costs(model, config)


def attention_product_macs(config):
    n = 321 if config["family"] == fc.C.kFamilyVittrack else 320
    group = config["block_type"] in (fc.C.kBlockGAF, fc.C.kBlockFGAF)
    per_head = (config["key_dim"] + config["value_dim"]) if group else 2 * config["channels"] // config["heads"]
    return config["depth"] * n * n * config["heads"] * per_head


def check_counts(cli):
    errors = 0
    for name in COUNT_CONFIGS:
        config, costs = reference_costs(name)
        got = inspect_json(cli, name, 1)
        for field in ("depth", "channels", "heads", "head_channels", "mlp_ratio", "key_dim", "value_dim"):
            if got["config"][field] != config[field]:
                errors += fail(f"{name}: config {field}: inspect {got['config'][field]}, Python {config[field]}")
        stages = {s["name"]: s for s in got["stages"]}
        if set(stages) != set(costs):
            errors += fail(f"{name}: stages differ: inspect {sorted(stages)}, Python {sorted(costs)}")
            continue
        for stage, want in costs.items():
            for key in ("parameters", "macs"):
                if stages[stage][key] != want[key]:
                    errors += fail(f"{name}: {stage} {key}: inspect {stages[stage][key]}, "
                                   f"PyTorch hooks {want[key]}")
        params = sum(c["parameters"] for c in costs.values())
        macs = sum(c["macs"] for c in costs.values())
        per_update = macs - costs["patch_embed (template, at init)"]["macs"]
        for key, want in (("parameters", params), ("macs", macs), ("macs_per_update", per_update)):
            if got[key] != want:
                errors += fail(f"{name}: {key}: inspect {got[key]}, PyTorch {want}")
        print(f"check_families: {name}: {params:,} parameters, {macs:,} MACs ({per_update:,} per update) "
              f"agree with inspect")

    print("check_families: against the research notes (thop: no position tables, no attention products)")
    for label, name, head_channels, note_params, note_macs in NOTES:
        config, costs = reference_costs(name, head_channels)
        params = sum(c["parameters"] for c in costs.values())
        macs = sum(c["macs"] for c in costs.values())
        tables = (fc.TEMPLATE_TOKENS + fc.SEARCH_TOKENS) * config["channels"] \
            if config["family"] == fc.C.kFamilyEfficientTrack else 0
        products = attention_product_macs(config)
        p, m = params - tables, macs - products
        print(f"  {label:28s} {name}{'' if head_channels is None else f' (head {head_channels})'}: "
              f"{params:,} params - {tables:,} position = {p:,} (notes {note_params:,.0f}, "
              f"{100 * (p / note_params - 1):+.2f} %); {macs:,} MACs - {products:,} attention products = "
              f"{m:,} (notes {note_macs:,.0f}, {100 * (m / note_macs - 1):+.2f} %)")
        if abs(p / note_params - 1) > 0.005 or abs(m / note_macs - 1) > 0.01:
            errors += fail(f"{label}: {p:,} parameters / {m:,} MACs, the notes say {note_params:,.0f} / "
                           f"{note_macs:,.0f}")
    return errors


def check_export(tmp_dir):
    errors = 0
    os.makedirs(tmp_dir, exist_ok=True)
    for name, seed in (("et-c64-d1-fgaf-bn-conv2x2-corner", 3), ("vit-d1-c64-conv3x3-center", 4)):
        _, model = export_family.random_model(name, seed)
        sd_path = os.path.join(tmp_dir, f"{name}.pt")
        torch.save(model.state_dict(), sd_path)
        a, b = os.path.join(tmp_dir, f"{name}.sd.etb"), os.path.join(tmp_dir, f"{name}.seed.etb")
        if export_family.main(["--config", name, "--state-dict", sd_path, "--out", a]) != 0 or \
                export_family.main(["--config", name, "--seed", str(seed), "--out", b]) != 0:
            errors += fail(f"{name}: export failed")
            continue
        with open(a, "rb") as fa, open(b, "rb") as fb:
            if fa.read() != fb.read():
                errors += fail(f"{name}: --state-dict and --seed exports differ")
        # Broken state_dicts are refused by name.
        state = model.state_dict()
        missing = dict(state)
        key = next(k for k in state if k.endswith("bn.running_var"))
        del missing[key]
        torch.save(missing, sd_path)
        try:
            export_family.state_dict_model(name, sd_path)
            errors += fail(f"{name}: a state_dict without {key} was accepted")
        except ValueError as e:
            if key not in str(e):
                errors += fail(f"{name}: message does not name {key}: {e}")
        wrong = dict(state)
        wrong["box_head.conv1_" + ("tl" if "corner" in name else "ctr") + ".conv.weight"] = torch.zeros(1, 2, 3, 3)
        torch.save({"state_dict": wrong}, sd_path)
        try:
            export_family.state_dict_model(name, sd_path)
            errors += fail(f"{name}: a misshapen state_dict was accepted")
        except ValueError as e:
            if "shape [1, 2, 3, 3], expected" not in str(e):
                errors += fail(f"{name}: unexpected message: {e}")
        print(f"check_families: {name}: --state-dict export equals --seed export; broken state_dicts refused")
    return errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    counts = sub.add_parser("counts")
    counts.add_argument("--cli", required=True, help="the efficienttrack executable")
    export = sub.add_parser("export")
    export.add_argument("--tmp-dir", required=True)
    args = parser.parse_args(argv)
    errors = check_counts(args.cli) if args.what == "counts" else check_export(args.tmp_dir)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
