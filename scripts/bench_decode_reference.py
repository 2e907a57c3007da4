#!/usr/bin/env python3
"""The reference's time from a photo file to DINO's 224x224 input, for comparison with imaging-bench.

Pillow (HEIC/HEIF through pillow-heif) decodes the file at full size, applies EXIF orientation,
converts to RGB, resizes the shorter side to 256 (BICUBIC, antialiased), centre-crops 224, scales
and normalises with NumPy: torchvision's PIL code path without torch. The file's bytes are read
into memory first, as imaging-bench does. Prints the median, min and max milliseconds per image,
the user + system CPU milliseconds per image (all threads), and the process's peak RSS.
Needs: pip install pillow pillow-heif numpy   (not run by CI)
Usage: python3 scripts/bench_decode_reference.py FILE [--runs 20]
"""
import argparse
import io
import resource
import time

import numpy as np
from PIL import Image, ImageOps

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:
    pillow_heif = None

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)[:, None, None]
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)[:, None, None]


def prepare(data):
    with Image.open(io.BytesIO(data)) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
    w, h = im.size
    size = (256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256)
    im = im.resize(size, Image.BICUBIC)
    w, h = im.size
    top, left = int(round((h - 224) / 2.0)), int(round((w - 224) / 2.0))
    x = np.asarray(im.crop((left, top, left + 224, top + 224)), dtype=np.float32).transpose(2, 0, 1) / 255.0
    return (x - MEAN) / STD


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    data = open(args.file, "rb").read()
    versions = f"Pillow {Image.__version__}"
    if pillow_heif is not None:
        versions += f", pillow-heif {pillow_heif.__version__} (libheif {pillow_heif.libheif_version()})"
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    prepare(data)  # warm-up
    times = []
    cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    for _ in range(max(1, args.runs)):
        start = time.perf_counter()
        prepare(data)
        times.append((time.perf_counter() - start) * 1000)
    cpu = (sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_before) * 1000 / len(times)
    times.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"reference ({versions}): {args.file}, {len(data) // 1024} KiB, runs {len(times)}")
    print(f"decode + preprocess to 224: median {times[len(times) // 2]:.2f} ms (min {times[0]:.2f}, max {times[-1]:.2f}; CPU {cpu:.1f} ms)")
    print(f"peak RSS {peak / 1024:.0f} MiB ({(peak - baseline) / 1024:.0f} MiB above the interpreter with its imports)")


if __name__ == "__main__":
    main()
