#!/usr/bin/env python3
"""Writes Pillow's bicubic resize of a synthetic pattern as raw RGB files for ImagingTests.

The pattern is defined by a formula that the Swift tests compute too, so only Pillow's output is
stored. Needs: pip install pillow numpy. Output: Tests/ImagingTests/Fixtures/pil-WxH-to-WxH.rgb
"""
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImagingTests", "Fixtures")


def pattern(w, h):
    y, x = np.mgrid[0:h, 0:w]
    channels = [((x * 37 + y * 91 + c * 53 + ((x * y) % 17) * 11) % 256) for c in range(3)]
    return np.stack(channels, axis=-1).astype(np.uint8)


def main():
    src = (61, 47)
    im = Image.fromarray(pattern(*src), "RGB")
    for size in [(17, 13), (100, 80), (61, 20), (30, 47), (7, 90)]:
        out = np.asarray(im.resize(size, Image.BICUBIC), dtype=np.uint8)
        name = f"pil-{src[0]}x{src[1]}-to-{size[0]}x{size[1]}.rgb"
        out.tofile(os.path.join(OUT, name))
        print(name)


if __name__ == "__main__":
    main()
