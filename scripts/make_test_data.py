#!/usr/bin/env python3
"""Builds Tests/Data, the committed test data, from the full sets in ../shared/data.

The repository must pass its own tests with nothing beside it, within about 12 MB of test data, so:
- small third-party files are copied as they are (robustness/jpeg, jpeg-malformed, junk, pillow,
  pngsuite, heif; features/coil20-clip), with their licences;
- large real photos are re-encoded smaller, keeping what the tests look at:
  photos/clothing (all 240, half size, quality 75: the class folders and the photo count stay),
  robustness/exif-orientation (a quarter size, the same EXIF block, so each orientation tag is kept),
  robustness/large/012mp-bus.jpg (full 4032×3024, quality 45, EXIF kept);
- HEIC/HEIF, AVIF and WebP (formats/): the small samples as they are (FORMAT_FILES; arrow.heic,
  0.8 MB, too, since its irot and EXIF tag together are what the tests look at); pug.heic re-encoded
  at 1/8 size with its EXIF block (heic/pug-small.heic: capture time and camera kept); and
  webp/animated-3-frames.webp, an animation made of three different pictures (iss634.webp's first
  frame, hopper, flower), so that "the first frame" can be told apart.

Needs Pillow and pillow-heif (`pip install pillow pillow-heif`); not run by CI. Usage: python3 scripts/make_test_data.py [SHARED] [OUT]
"""
import os
import shutil
import sys

import pillow_heif
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Tests", "Data")

COPIED = ["robustness/jpeg", "robustness/jpeg-malformed", "robustness/junk", "robustness/pillow",
          "robustness/pngsuite", "robustness/heif"]
COPIED_FILES = ["features/coil20-clip-X.npy", "features/coil20-clip-y.npy",
                "robustness/exif-orientation/LICENSE", "photos/clothing/LICENSE",
                "formats/heic/LICENSE-libheif.txt"]
FORMAT_FILES = ["formats/LICENSE-Pillow.txt", "formats/heic/LICENSE-pillow-heif.txt"] + [
    "formats/heic/" + name for name in ["arrow.heic", "invalid_id.heic", "zPug_3.heic", "L_exif_xmp_iptc.heic",
                                        "RGB_10__128x128.heif", "RGBA_8__29x100.heif", "L_12__29x100.heif"]
] + ["formats/heic-broken/truncated.heic", "formats/heic-broken/corrupted.hif", "formats/avif/transparency.avif"] + [
    f"formats/avif/rot{r}mir{m}.avif" for r in range(4) for m in range(2)
] + ["formats/webp/" + name for name in ["hopper.webp", "transparent.webp", "flower.webp"]] + [
    f"formats/webp/hopper_orientation_{n}.webp" for n in range(2, 9)
]


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
    for name in COPIED_FILES + FORMAT_FILES:
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

    pillow_heif.register_heif_opener()
    with Image.open(os.path.join(SHARED, "formats", "heic", "pug.heic")) as pug:
        small = pug.resize((pug.width // 8, pug.height // 8), Image.LANCZOS)
        small.save(os.path.join(OUT, "formats", "heic", "pug-small.heic"), quality=60, exif=pug.info["exif"])
    webp = os.path.join(SHARED, "formats", "webp")
    with Image.open(os.path.join(webp, "iss634.webp")) as iss:
        frames = [iss.convert("RGBA").resize((123, 123), Image.LANCZOS)]
    for name in ["hopper.webp", "flower.webp"]:
        with Image.open(os.path.join(webp, name)) as other:
            frames.append(other.convert("RGBA").resize((123, 123), Image.LANCZOS))
    frames[0].save(os.path.join(OUT, "formats", "webp", "animated-3-frames.webp"), save_all=True,
                   append_images=frames[1:], duration=100, loop=0, quality=80)

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(OUT) for f in files)
    print(f"Tests/Data: {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
