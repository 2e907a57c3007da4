#!/usr/bin/env python3
"""Writes the reference pixels the WebP tests compare with (Pillow's reading of the same files).

animated-frame1-49x49.rgb: the first frame of Tests/Data/formats/webp/animated-3-frames.webp as Pillow
decodes it, alpha
composited on mid-grey (128) as herd does, resized to 49x49 with Pillow's BICUBIC (which herd's
Resampler reproduces byte for byte). Raw RGB bytes, rows top to bottom.
Needs: pip install pillow   (not run by CI)
Usage: python3 scripts/make_format_fixtures.py
"""
import os

from PIL import Image

ROOT = os.path.join(os.path.dirname(__file__), "..")
SOURCE = os.path.join(ROOT, "Tests", "Data", "formats", "webp", "animated-3-frames.webp")
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures", "animated-frame1-49x49.rgb")

with Image.open(SOURCE) as im:
    im.seek(0)
    frame = im.convert("RGBA")
grey = Image.new("RGBA", frame.size, (128, 128, 128, 255))
first = Image.alpha_composite(grey, frame).convert("RGB").resize((49, 49), Image.BICUBIC)
with open(OUT, "wb") as out:
    out.write(first.tobytes())
print("wrote", OUT)
