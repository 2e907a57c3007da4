#!/usr/bin/env python3
"""Full-size parity: herd's CLS features against transformers for the four DINO architectures.

Builds each model with seeded random weights (every parameter randomised), saves it as safetensors
(hub layout), runs `herd embed --tensor` on the same random input and compares per row with the
torch fp32 reference, once per precision herd runs in (fp32: max |diff| <= 1e-3 and cosine >= 0.99999;
bf16, where the CPU has AVX512_BF16: cosine >= 0.999, max |diff| reported).
Needs `pip install torch==2.13.0 transformers safetensors numpy` and a built herd
(`swift build -c release`). Not run by CI.

    python3 scripts/parity.py [--herd .build/release/herd] [--work /tmp/herd-parity] [--batch 2]
                              [--precision fp32 bf16 bf16-onednn] [--models dino-vits16 dinov2-small]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_model  # noqa: E402

NAMES = ["dino-vits16", "dino-vitb16", "dinov2-small", "dinov2-base"]
# Verdict limits per precision: (max |diff|, min cosine) against transformers in fp32.
LIMITS = {"fp32": (1e-3, 0.99999), "bf16": (float("inf"), 0.9999), "bf16-onednn": (float("inf"), 0.9999)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-parity")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--models", nargs="*", default=NAMES)
    ap.add_argument("--precision", nargs="*", default=list(LIMITS), choices=list(LIMITS))
    args = ap.parse_args()
    worst_ok = True
    print("limits: " + "; ".join(f"{p}: max |diff| <= {d:g}, cosine >= {c}" for p, (d, c) in LIMITS.items() if p in args.precision))
    print(f"{'model':<14} {'precision':<11} {'max |diff|':>11} {'max |ref|':>10} {'min cosine':>12}  verdict")
    for i, name in enumerate(args.models):
        folder = os.path.join(args.work, name)
        os.makedirs(folder, exist_ok=True)
        model = reference_model.build(name, seed=100 + i)
        reference_model.save_model(model, folder)
        pixels = np.random.default_rng(200 + i).standard_normal((args.batch, 3, 224, 224)).astype(np.float32)
        np.save(os.path.join(folder, "input.npy"), pixels)
        expected = reference_model.cls_features(model, pixels)
        for precision in args.precision:
            out = os.path.join(folder, f"herd-{precision}.npy")
            run = subprocess.run([args.herd, "embed", "--tensor", os.path.join(folder, "input.npy"),
                                  "--model", os.path.join(folder, "model.safetensors"), "--npy", out,
                                  "--precision", precision], capture_output=True, text=True)
            if run.returncode != 0:
                if "AVX512_BF16" in run.stderr or "no implementation on this CPU" in run.stderr:
                    print(f"{name:<14} {precision:<9} skipped: {run.stderr.strip()}", flush=True)
                    continue
                sys.stderr.write(run.stderr)
                return 1
            got = np.load(out)
            diff = float(np.abs(got - expected).max())
            cos = float(min(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)) for a, b in zip(got, expected)))
            max_diff, min_cos = LIMITS[precision]
            ok = diff <= max_diff and cos >= min_cos
            worst_ok &= ok
            print(f"{name:<14} {precision:<11} {diff:>11.3e} {float(np.abs(expected).max()):>10.3f} {cos:>12.8f}  "
                  f"{'ok' if ok else 'FAIL'}", flush=True)
    return 0 if worst_ok else 1


if __name__ == "__main__":
    sys.exit(main())
