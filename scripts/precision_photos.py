#!/usr/bin/env python3
"""bf16 against fp32 features on real photos: herd embeds ../shared/data/photos/clothing once per path.

Runs `herd embed PHOTOS --precision fp32`, then `bf16` (herd's kernel) and `bf16-onednn` (oneDNN)
with the same weights and reports, per model and reduced-precision path: the per-photo cosine between the two feature sets (min, 1st percentile, median), the
max |diff| of the L2-normalised features, and how many of each photo's 10 nearest neighbours (cosine,
among all photos) bf16 keeps from fp32 (mean and worst photo), next to the mean cosine between
different photos' fp32 features (how spread out the features are: the closer to 1, the more
fragile the neighbour order). A bf16 path that kept the features
but reordered the neighbours would change the clusters; this checks it does not.

Verdict per path: every photo's cosine >= 0.9999 and >= 9.9 of the 10 nearest neighbours kept on
average. A path this CPU cannot run is reported as skipped. The models are random-weight DINO architectures (scripts/reference_model.py; no pretrained
weights can be downloaded on the build machines), so the features do not describe the photos the
way a trained model's do: the figures measure how far bf16 moves herd's output, not accuracy.
Needs `pip install torch==2.13.0 transformers safetensors numpy` and a built herd. Not run by CI.

    python3 scripts/precision_photos.py [--herd .build/release/herd] [--work /tmp/herd-precision]
                                        [--models dino-vits16 dinov2-small] [--neighbours 10]
                                        [--precisions bf16 bf16-onednn]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
PHOTOS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "photos", "clothing"))


def embed(herd: str, weights: str, photos: list, precision: str, out: str):
    """The features, or the error text when this CPU cannot run `precision`."""
    run = subprocess.run([herd, "embed", *photos, "--model", weights, "--npy", out, "--normalize", "--precision", precision],
                         capture_output=True, text=True)
    if run.returncode != 0:
        if "AVX512_BF16" in run.stderr or "no implementation on this CPU" in run.stderr:
            return run.stderr.strip()
        raise RuntimeError(run.stderr)
    return np.load(out)


def neighbours(features: np.ndarray, k: int) -> np.ndarray:
    similarity = features @ features.T
    np.fill_diagonal(similarity, -np.inf)
    return np.argsort(-similarity, axis=1)[:, :k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-precision")
    ap.add_argument("--models", nargs="*", default=["dino-vits16", "dinov2-small"])
    ap.add_argument("--neighbours", type=int, default=10)
    ap.add_argument("--precisions", nargs="*", default=["bf16", "bf16-onednn"])
    args = ap.parse_args()
    import reference_model  # noqa: E402  (imports torch)

    photos = sorted(os.path.join(r, n) for r, _, fs in os.walk(PHOTOS) for n in fs if n.lower().endswith(".jpg"))
    print(f"{len(photos)} photos from {PHOTOS}; random-weight models (not trained: agreement, not accuracy)")
    print(f"{'model':<14} {'path':<12} {'min cos':>9} {'p1 cos':>9} {'median cos':>11} {'max |diff|':>11} "
          f"{'kNN kept (mean)':>16} {'kNN kept (worst)':>17} {'photo-photo cos':>16}  verdict")
    ok = True
    for i, name in enumerate(args.models):
        folder = os.path.join(args.work, name)
        weights = os.path.join(folder, "model.safetensors")
        if not os.path.exists(weights):
            os.makedirs(folder, exist_ok=True)
            reference_model.save_model(reference_model.build(name, seed=100 + i), folder)
        fp32 = embed(args.herd, weights, photos, "fp32", os.path.join(folder, "fp32.npy"))
        pairs = fp32 @ fp32.T
        spread = (pairs.sum() - np.trace(pairs)) / (len(photos) * (len(photos) - 1))
        a = neighbours(fp32, args.neighbours)
        for precision in args.precisions:
            reduced = embed(args.herd, weights, photos, precision, os.path.join(folder, f"{precision}.npy"))
            if isinstance(reduced, str):
                print(f"{name:<14} {precision:<12} skipped: {reduced}", flush=True)
                continue
            cos = np.sum(fp32 * reduced, axis=1)
            b = neighbours(reduced, args.neighbours)
            kept = np.array([len(set(x) & set(y)) for x, y in zip(a, b)])
            passed = cos.min() >= 0.9999 and kept.mean() >= 0.99 * args.neighbours
            ok &= bool(passed)
            print(f"{name:<14} {precision:<12} {cos.min():>9.5f} {np.percentile(cos, 1):>9.5f} {np.median(cos):>11.6f} "
                  f"{np.abs(fp32 - reduced).max():>11.3e} {kept.mean():>11.2f}/{args.neighbours:<4} {kept.min():>12}/{args.neighbours:<4} "
                  f"{spread:>16.4f}  {'ok' if passed else 'FAIL'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
