#!/usr/bin/env python3
"""Full-size parity: herd's CLS features against transformers for the four DINO architectures.

Builds each model with seeded random weights (every parameter randomised), saves it as safetensors
(hub layout), runs `herd embed --tensor` on the same random input and compares per row.
Needs `pip install torch==2.13.0 transformers safetensors numpy` and a built herd
(`swift build -c release`). Not run by CI.

    python3 scripts/parity.py [--herd .build/release/herd] [--work /tmp/herd-parity] [--batch 2]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_model  # noqa: E402

NAMES = ["dino-vits16", "dino-vitb16", "dinov2-small", "dinov2-base"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-parity")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--models", nargs="*", default=NAMES)
    args = ap.parse_args()
    worst_ok = True
    print(f"{'model':<14} {'max |diff|':>11} {'min cosine':>12}  verdict (max |diff| <= 1e-3, cosine >= 0.99999)")
    for i, name in enumerate(args.models):
        folder = os.path.join(args.work, name)
        os.makedirs(folder, exist_ok=True)
        model = reference_model.build(name, seed=100 + i)
        reference_model.save_model(model, folder)
        pixels = np.random.default_rng(200 + i).standard_normal((args.batch, 3, 224, 224)).astype(np.float32)
        np.save(os.path.join(folder, "input.npy"), pixels)
        expected = reference_model.cls_features(model, pixels)
        out = os.path.join(folder, "herd.npy")
        subprocess.run([args.herd, "embed", "--tensor", os.path.join(folder, "input.npy"),
                        "--model", os.path.join(folder, "model.safetensors"), "--npy", out], check=True)
        got = np.load(out)
        diff = float(np.abs(got - expected).max())
        cos = float(min(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)) for a, b in zip(got, expected)))
        ok = diff <= 1e-3 and cos >= 0.99999
        worst_ok &= ok
        print(f"{name:<14} {diff:>11.3e} {cos:>12.8f}  {'ok' if ok else 'FAIL'}", flush=True)
    return 0 if worst_ok else 1


if __name__ == "__main__":
    sys.exit(main())
