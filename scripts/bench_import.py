#!/usr/bin/env python3
"""Time and peak RSS of importing a hub pytorch_model.bin (`herd model import`), against the usual
Python conversion of the same file (torch.load(weights_only=True) + safetensors save_file) in the same
run, rounds alternating; and herd's floor (`herd model list`, no weights touched).

Random-weight full-size models (scripts/reference_model.py); the .bin is torch.save of the hub state
dict, as the hub's files are. Caches: each file is read once before the rounds, so all runs read it
from the page cache. Needs torch + transformers and a built herd. Not run by CI.

    python3 scripts/bench_import.py [--herd .build/release/herd] [--models dino-vits16 dino-vitb16] [--rounds 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint_layouts as layouts  # noqa: E402
import reference_model  # noqa: E402

PEER = ("import sys, torch; from safetensors.torch import save_file; "
        "sd = torch.load(sys.argv[1], weights_only=True, map_location='cpu', mmap=False); "
        "save_file({k: v.contiguous() for k, v in sd.items()}, sys.argv[2])")


def timed(command: list) -> tuple:
    run = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(run.stdout + run.stderr)
    seconds, kb = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-bench-import")
    ap.add_argument("--models", nargs="*", default=["dino-vits16", "dino-vitb16"])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    herd = os.path.abspath(args.herd)
    floor = timed([herd, "model", "list", "--models-dir", os.path.join(args.work, "empty")])
    print(f"herd floor (`herd model list`): {floor[0]:.2f} s, peak RSS {floor[1]:.1f} MB")
    print(f"{'model':<12} {'.bin MB':>8} {'herd s (median)':>16} {'herd RSS MB':>12} {'python s (median)':>18} {'python RSS MB':>14} {'time ratio':>10}")
    for i, name in enumerate(args.models):
        folder = os.path.join(args.work, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        model = reference_model.build(name, seed=500 + i)
        reference_model.save_model(model, folder)
        del model
        hub = layouts.hub_state_dict(folder)
        binary = os.path.join(folder, "pytorch_model.bin")
        torch.save(hub, binary)
        del hub
        os.remove(os.path.join(folder, "model.safetensors"))
        with open(binary, "rb") as f:
            while f.read(1 << 24):
                pass
        herd_runs, peer_runs = [], []
        for r in range(args.rounds):
            store = os.path.join(folder, "store")
            shutil.rmtree(store, ignore_errors=True)
            herd_runs.append(timed([herd, "model", "import", binary, "--name", name, "--models-dir", store]))
            peer_runs.append(timed([sys.executable, "-c", PEER, binary, os.path.join(folder, "peer.safetensors")]))
        hs = statistics.median(s for s, _ in herd_runs)
        ps = statistics.median(s for s, _ in peer_runs)
        print(f"{name:<12} {os.path.getsize(binary) / 1e6:>8.1f} {hs:>16.2f} {max(m for _, m in herd_runs):>12.1f} "
              f"{ps:>18.2f} {max(m for _, m in peer_runs):>14.1f} {hs / ps:>10.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
