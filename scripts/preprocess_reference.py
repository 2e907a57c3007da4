#!/usr/bin/env python3
"""Compares herd's preprocessing with DINO's evaluation transform in torchvision.

Reference: PIL decode at full size (HEIC/HEIF through pillow-heif, AVIF and WebP through Pillow's own
plugins; the first frame of an animation), EXIF orientation applied (ImageOps.exif_transpose, which
for Pillow's AVIF plugin is how the irot/imir transforms are applied; pillow-heif applies them itself
and resets the tag), alpha composited on mid-grey (128) as herd does, RGB, Resize(256, BICUBIC),
CenterCrop(224), ToTensor, Normalize(ImageNet). herd decodes JPEGs at a
reduced DCT scale when that still leaves the shorter side >= 256, so small differences are expected
on large photos; on photos decoded at full size the resampling is designed to match exactly.

Needs: pip install torch==2.13.0 torchvision pillow pillow-heif numpy   (not run by CI)
Usage: python3 scripts/preprocess_reference.py [--herd .build/release/herd] [--max-image-mean 0.002] IMAGE...
Prints per-image mean and max absolute difference in normalised units, and the overall mean; with
--max-image-mean, marks and counts the images whose own mean is above it (exit status 1 if any).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageOps

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:
    print("pillow-heif unavailable: HEIC/HEIF files will fail in the reference", file=sys.stderr)

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)[:, None, None]
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)[:, None, None]

try:
    from torchvision import transforms

    TRANSFORM = transforms.Compose([
        transforms.Resize(256, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(MEAN.ravel().tolist(), STD.ravel().tolist()),
    ])
except Exception as error:  # a torchvision wheel built against another torch fails to import
    print(f"torchvision unavailable ({type(error).__name__}: {error}); using its PIL code path directly",
          file=sys.stderr)
    TRANSFORM = None


def torchvision_pil_path(im):
    """What torchvision's Resize(256, BICUBIC), CenterCrop(224), ToTensor, Normalize do to a PIL image."""
    w, h = im.size
    if w <= h:
        size = (256, int(256 * h / w))
    else:
        size = (int(256 * w / h), 256)
    im = im.resize(size, Image.BICUBIC)
    w, h = im.size
    top, left = int(round((h - 224) / 2.0)), int(round((w - 224) / 2.0))
    im = im.crop((left, top, left + 224, top + 224))
    x = np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0
    return (x - MEAN) / STD


def reference(path):
    # Image.open starts at an animation's first frame and at a HEIF file's primary image.
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        if im.mode == "I;16":  # 10/12-bit greyscale from pillow-heif, scaled to 16 bits: to 8 bits, rounded
            im = Image.fromarray(((np.asarray(im, dtype=np.uint32) * 255 + 32767) // 65535).astype(np.uint8), "L")
        if im.mode in ("RGBA", "LA", "PA", "P") and (im.mode != "P" or "transparency" in im.info):
            im = im.convert("RGBA")
            im = Image.alpha_composite(Image.new("RGBA", im.size, (128, 128, 128, 255)), im)
        im = im.convert("RGB")
        if TRANSFORM is not None:
            return TRANSFORM(im).numpy()
        return torchvision_pil_path(im)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--herd", default=".build/debug/herd")
    parser.add_argument("--max-image-mean", type=float, default=None,
                        help="flag images whose mean |diff| is above this (normalised units)")
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out, listing = os.path.join(tmp, "x.npy"), os.path.join(tmp, "list.txt")
        subprocess.run([args.herd, "preprocess", *args.images, "--npy", out, "--list-out", listing], check=False)
        ours = np.load(out)
        paths = [line for line in open(listing).read().splitlines() if line]
    means, maxes = [], []
    for path, mine in zip(paths, ours):
        diff = np.abs(mine - reference(path))
        means.append(diff.mean())
        maxes.append(diff.max())
        over = args.max_image_mean is not None and diff.mean() > args.max_image_mean
        print(f"{diff.mean():.5f} {diff.max():.4f} {path}{'  OVER' if over else ''}")
    print(f"images {len(paths)}  mean |diff| {np.mean(means):.5f}  worst image mean {np.max(means):.5f}  "
          f"max |diff| {np.max(maxes):.4f}  (normalised units; one 8-bit level is about 0.0175)")
    if args.max_image_mean is not None:
        over = sum(m > args.max_image_mean for m in means)
        print(f"{over} of {len(means)} images above {args.max_image_mean} mean |diff|")
        return 1 if over else 0
    return 0 if np.mean(means) < 0.01 else 1


if __name__ == "__main__":
    sys.exit(main())
