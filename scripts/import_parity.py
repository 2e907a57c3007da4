#!/usr/bin/env python3
"""Full-size import check: every published form of the four DINO architectures, with seeded random
weights, installed with `herd model import` and run with `herd embed --tensor --precision fp32`, against
transformers' CLS output on the same weights (max |diff| <= 1e-3, cosine >= 0.99999); the installed
model.safetensors must be byte-identical across forms (one model id). Also prints the time and peak RSS
of each import (`/usr/bin/time -f '%e %M'`).

Forms per model: hub model.safetensors (save_pretrained), hub pytorch_model.bin (torch.save of the hub
state dict), the original repository's .pth (scripts/checkpoint_layouts.py), and a training checkpoint
nesting it (teacher + a different student). Needs torch + transformers and a built herd
(`swift build -c release`). Not run by CI.

    python3 scripts/import_parity.py [--herd .build/release/herd] [--work /tmp/herd-import] [--models dino-vits16 …]
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint_layouts as layouts  # noqa: E402
import reference_model  # noqa: E402

NAMES = ["dino-vits16", "dino-vitb16", "dinov2-small", "dinov2-base"]
MAX_DIFF, MIN_COS = 1e-3, 0.99999


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-import")
    ap.add_argument("--models", nargs="*", default=NAMES)
    ap.add_argument("--batch", type=int, default=2)
    args = ap.parse_args()
    herd = os.path.abspath(args.herd)
    ok = True
    print(f"limits: max |diff| <= {MAX_DIFF:g}, cosine >= {MIN_COS}; one store file per model")
    print(f"{'model':<13} {'form':<24} {'MB':>7} {'import s':>9} {'peak RSS MB':>12} {'max |diff|':>11} {'min cosine':>11}  verdict")
    for i, name in enumerate(args.models):
        folder = os.path.join(args.work, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        model = reference_model.build(name, seed=300 + i)
        hub_dir = os.path.join(folder, "hub")
        reference_model.save_model(model, hub_dir)
        v2 = reference_model.ARCHITECTURES[name][0] == "v2"
        hub = layouts.hub_state_dict(hub_dir)
        torch.save(hub, os.path.join(hub_dir, "pytorch_model.bin"))
        original = layouts.to_original(hub, v2)
        orig_dir = os.path.join(folder, "original")
        os.makedirs(orig_dir)
        torch.save(original, os.path.join(orig_dir, "original.pth"))
        nested = layouts.dinov2_training_checkpoint(original, 9) if v2 else layouts.dino_training_checkpoint(original, 9)
        torch.save(nested, os.path.join(orig_dir, "training-checkpoint.pth"))
        del hub, original, nested

        pixels = np.random.default_rng(400 + i).standard_normal((args.batch, 3, 224, 224)).astype(np.float32)
        np.save(os.path.join(folder, "input.npy"), pixels)
        expected = reference_model.cls_features(model, pixels)
        del model
        store = os.path.join(folder, "store")
        digests = set()
        for form, path in [("hub model.safetensors", os.path.join(hub_dir, "model.safetensors")),
                           ("hub pytorch_model.bin", os.path.join(hub_dir, "pytorch_model.bin")),
                           ("original .pth", os.path.join(orig_dir, "original.pth")),
                           ("training checkpoint", os.path.join(orig_dir, "training-checkpoint.pth"))]:
            installed = form.replace(" ", "-").replace(".", "")
            run = subprocess.run(["/usr/bin/time", "-f", "%e %M", herd, "model", "import", path, "--name", installed,
                                  "--models-dir", store], capture_output=True, text=True)
            if run.returncode != 0:
                print(run.stdout, run.stderr)
                return 1
            seconds, kb = run.stderr.strip().splitlines()[-1].split()
            out = os.path.join(folder, f"{installed}.npy")
            subprocess.run([herd, "embed", "--tensor", os.path.join(folder, "input.npy"), "--model", installed,
                            "--models-dir", store, "--npy", out, "--precision", "fp32"], check=True)
            got = np.load(out)
            diff = float(np.abs(got - expected).max())
            cos = float(min(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)) for a, b in zip(got, expected)))
            digests.add(sha256(os.path.join(store, installed, "model.safetensors")))
            good = diff <= MAX_DIFF and cos >= MIN_COS
            ok &= good
            print(f"{name:<13} {form:<24} {os.path.getsize(path) / 1e6:>7.1f} {float(seconds):>9.2f} {int(kb) / 1024:>12.1f} "
                  f"{diff:>11.3e} {cos:>11.8f}  {'ok' if good else 'FAIL'}", flush=True)
        same = len(digests) == 1
        ok &= same
        print(f"{name:<13} store files identical across forms: {'yes' if same else 'NO'} ({next(iter(digests))[:16]})", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
