#!/usr/bin/env python3
"""Regenerates the tiny model fixtures under Tests/EncoderTests/Fixtures (needs torch + transformers).

Each folder holds model.safetensors + config.json (hub layout) and, per case, CASE-input.npy
[N, 3, H, W] and CASE-expected.npy [N, D] = transformers' CLS token after the final LayerNorm.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_model  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "Tests", "EncoderTests", "Fixtures")

# folder → (architecture, seed, {case: (batch, height, width)})
MODELS = {
    # DINO v1 layout at its native grid (4×4 patches of 8 px).
    "tiny-v1": ("tiny-v1", 11, {"native": (3, 32, 32)}),
    # DINOv2 layout: 7×7 position grid; native, interpolated down to 5×4 (non-square), and up to 8×8.
    "tiny-v2": ("tiny-v2", 12, {"native": (1, 56, 56), "interpolated": (2, 40, 32), "upsampled": (1, 64, 64)}),
}

for folder, (arch, seed, cases) in MODELS.items():
    out = os.path.join(FIXTURES, folder)
    os.makedirs(out, exist_ok=True)
    model = reference_model.build(arch, seed)
    reference_model.save_model(model, out)
    rng = np.random.default_rng(seed)
    for case, (batch, height, width) in cases.items():
        pixels = rng.standard_normal((batch, 3, height, width)).astype(np.float32)
        np.save(os.path.join(out, f"{case}-input.npy"), pixels)
        np.save(os.path.join(out, f"{case}-expected.npy"), reference_model.cls_features(model, pixels))
    print(out)
