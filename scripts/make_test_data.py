#!/usr/bin/env python3
"""Builds Tests/Data, the committed test data, from the full sets in ../shared/data.

The repository must pass its own tests with nothing beside it, within about 12 MB of test data, so:
- small third-party files are copied as they are (robustness/jpeg, jpeg-malformed, junk, pillow,
  pngsuite, heif; features/coil20-clip), with their licences;
- large real photos are re-encoded smaller, keeping what the tests look at:
  photos/clothing (all 240, half size, quality 75: the class folders and the photo count stay),
  robustness/exif-orientation (a quarter size, the same EXIF block, so each orientation tag is kept),
  robustness/large/012mp-bus.jpg (full 4032×3024, quality 45, EXIF kept).

Needs Pillow (`pip install pillow`); not run by CI. Usage: python3 scripts/make_test_data.py [SHARED] [OUT]
"""
import os
import shutil
import sys

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Tests", "Data")

COPIED = ["robustness/jpeg", "robustness/jpeg-malformed", "robustness/junk", "robustness/pillow",
          "robustness/pngsuite", "robustness/heif"]
COPIED_FILES = ["features/coil20-clip-X.npy", "features/coil20-clip-y.npy",
                "robustness/exif-orientation/LICENSE", "photos/clothing/LICENSE",
                "formats/heic/LICENSE-libheif.txt"]


def reencode(source, target, scale, quality):
    """Writes `source` scaled by `scale` as a JPEG of `quality`, with the source's EXIF block."""
    with Image.open(source) as image:
        exif = image.info.get("exif")
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        out = image.convert("RGB").resize(size, Image.LANCZOS) if scale != 1 else image.convert("RGB")
        options = {"quality": quality}
        if exif:
            options["exif"] = exif
        out.save(target, "JPEG", **options)


def main():
    for entry in os.listdir(OUT) if os.path.exists(OUT) else []:
        if entry != "README.md":
            shutil.rmtree(os.path.join(OUT, entry))
    for folder in COPIED:
        shutil.copytree(os.path.join(SHARED, folder), os.path.join(OUT, folder))
    for name in COPIED_FILES:
        os.makedirs(os.path.dirname(os.path.join(OUT, name)), exist_ok=True)
        shutil.copy(os.path.join(SHARED, name), os.path.join(OUT, name))

    clothing = os.path.join(SHARED, "photos", "clothing")
    for label in sorted(os.listdir(clothing)):
        folder = os.path.join(clothing, label)
        if not os.path.isdir(folder):
            continue
        os.makedirs(os.path.join(OUT, "photos", "clothing", label), exist_ok=True)
        for name in sorted(os.listdir(folder)):
            reencode(os.path.join(folder, name), os.path.join(OUT, "photos", "clothing", label, name), 0.5, 75)

    orientation = os.path.join(SHARED, "robustness", "exif-orientation")
    for name in sorted(os.listdir(orientation)):
        if name.endswith(".jpg"):
            reencode(os.path.join(orientation, name), os.path.join(OUT, "robustness", "exif-orientation", name),
                     0.25, 85)

    os.makedirs(os.path.join(OUT, "robustness", "large"), exist_ok=True)
    reencode(os.path.join(SHARED, "robustness", "large", "012mp-bus.jpg"),
             os.path.join(OUT, "robustness", "large", "012mp-bus.jpg"), 1, 45)

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(OUT) for f in files)
    print(f"Tests/Data: {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
