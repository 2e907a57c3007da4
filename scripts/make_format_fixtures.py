#!/usr/bin/env python3
"""Writes the reference pixels the WebP tests compare with (Pillow's reading of the same files).

animated-frame1-49x49.rgb: the first frame of Tests/Data/formats/webp/animated-3-frames.webp as Pillow
decodes it, alpha
composited on mid-grey (128) as herd does, resized to 49x49 with Pillow's BICUBIC (which herd's
Resampler reproduces byte for byte). Raw RGB bytes, rows top to bottom.

pil-rot3mir1-avif-64x64-at-300x200.rgb: Tests/Data/formats/avif/rot3mir1.avif as Pillow's AVIF plugin
(libavif) decodes it, turned upright by ImageOps.exif_transpose (which carries its irot/imir), the 64x64
pixels at x 300, y 200. pil-transparency-avif.rgb: transparency.avif likewise, alpha composited on
mid-grey (128). Raw RGB bytes.
Needs: pip install pillow   (not run by CI; Pillow 11.3 or later for AVIF)
Usage: python3 scripts/make_format_fixtures.py
"""
import os

from PIL import Image, ImageOps

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

AVIF = os.path.join(ROOT, "Tests", "Data", "formats", "avif")
FIXTURES = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures")
with Image.open(os.path.join(AVIF, "rot3mir1.avif")) as im:
    upright = ImageOps.exif_transpose(im).convert("RGB")
with open(os.path.join(FIXTURES, "pil-rot3mir1-avif-64x64-at-300x200.rgb"), "wb") as out:
    out.write(upright.crop((300, 200, 364, 264)).tobytes())
with Image.open(os.path.join(AVIF, "transparency.avif")) as im:
    rgba = im.convert("RGBA")
flat = Image.alpha_composite(Image.new("RGBA", rgba.size, (128, 128, 128, 255)), rgba).convert("RGB")
with open(os.path.join(FIXTURES, "pil-transparency-avif.rgb"), "wb") as out:
    out.write(flat.tobytes())
print("wrote the AVIF fixtures in", FIXTURES)
