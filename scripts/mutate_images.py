#!/usr/bin/env python3
"""Writes damaged copies of image files for the decoders' hostile-input checks.

Each file gives 12 copies: 4 with up to 8 bytes rewritten in the first 2 KiB (container boxes and
headers), 4 with up to 32 bits flipped anywhere, 4 cut short at a random length. Seeded, so the
same files give the same copies.
Usage: python3 scripts/mutate_images.py OUTDIR FILE...
       bash scripts/check_leaks.sh OUTDIR
"""
import os
import random
import sys


def main():
    out, files = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(13)
    n = 0
    for path in files:
        data = open(path, "rb").read()
        if not data:
            continue
        for k in range(12):
            b = bytearray(data)
            if k % 3 == 0:
                for _ in range(rng.randint(1, 8)):
                    b[rng.randrange(min(len(b), 2048))] = rng.randrange(256)
            elif k % 3 == 1:
                for _ in range(rng.randint(1, 32)):
                    b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            else:
                b = b[: rng.randrange(min(16, len(b)), len(b))]
            with open(os.path.join(out, f"{n:04d}-{os.path.basename(path)}"), "wb") as f:
                f.write(bytes(b))
            n += 1
    print(f"wrote {n} damaged copies of {len(files)} files to {out}")


if __name__ == "__main__":
    main()
