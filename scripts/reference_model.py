#!/usr/bin/env python3
"""Builds DINO ViTs with seeded random weights and computes the reference CLS features.

The reference is Hugging Face `transformers` (ViTModel for DINO v1, Dinov2Model for DINOv2) on the
CPU torch wheel: `pip install torch==2.13.0 transformers safetensors numpy`. Used by
scripts/make_fixtures.py (tiny models committed under Tests/EncoderTests/Fixtures) and
scripts/parity.py (full-size models, compared with `herd embed --tensor`). Not run by CI.
"""
import argparse
import json
import os

import numpy as np
import torch

# The installed torchvision may not match the torch wheel; transformers only needs it for image
# processors, so hide it before transformers looks for it.
import transformers.utils.import_utils as _import_utils

_package_available = _import_utils._is_package_available
_import_utils._is_package_available = lambda name, *a, **k: (
    (False, "N/A") if name == "torchvision" else _package_available(name, *a, **k))
_import_utils.is_torchvision_available.cache_clear()
from transformers import Dinov2Config, Dinov2Model, ViTConfig, ViTModel

# name → (family, hidden, heads, layers, patch, image size of the position grid)
ARCHITECTURES = {
    "dino-vits16": ("v1", 384, 6, 12, 16, 224),
    "dino-vitb16": ("v1", 768, 12, 12, 16, 224),
    "dinov2-small": ("v2", 384, 6, 12, 14, 518),
    "dinov2-base": ("v2", 768, 12, 12, 14, 518),
    # Tiny configurations for the committed fixtures.
    "tiny-v1": ("v1", 32, 2, 2, 8, 32),
    "tiny-v2": ("v2", 32, 4, 2, 8, 56),
}

EPS = 1e-6


def build(name: str, seed: int) -> torch.nn.Module:
    """The model `name` with every parameter drawn from a generator seeded with `seed`."""
    family, hidden, heads, layers, patch, image = ARCHITECTURES[name]
    if family == "v1":
        config = ViTConfig(hidden_size=hidden, num_attention_heads=heads, num_hidden_layers=layers,
                           intermediate_size=4 * hidden, patch_size=patch, image_size=image,
                           layer_norm_eps=EPS, qkv_bias=True, hidden_act="gelu")
        model = ViTModel(config, add_pooling_layer=False)
    else:
        config = Dinov2Config(hidden_size=hidden, num_attention_heads=heads, num_hidden_layers=layers,
                              mlp_ratio=4, patch_size=patch, image_size=image, layer_norm_eps=EPS,
                              layerscale_value=1.0, hidden_act="gelu", use_swiglu_ffn=False)
        model = Dinov2Model(config)
    model.eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("lambda1"):  # LayerScale
                p.copy_(0.3 + 0.2 * torch.randn(p.shape, generator=g))
            elif "norm" in pname and pname.endswith("weight"):  # LayerNorm gain
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif pname.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif pname.endswith("weight"):  # linear or conv: fan-in scaled so activations stay O(1)
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / fan_in ** 0.5)
            else:  # cls token, mask token, position embeddings
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
    return model


def cls_features(model: torch.nn.Module, pixels: np.ndarray) -> np.ndarray:
    """CLS token after the final LayerNorm: [N, 3, H, W] → [N, D]."""
    with torch.no_grad():
        x = torch.from_numpy(pixels)
        if isinstance(model, ViTModel):
            out = model(pixel_values=x, interpolate_pos_encoding=False)
        else:
            out = model(pixel_values=x)
        return out.last_hidden_state[:, 0, :].numpy().astype(np.float32)


def save_model(model: torch.nn.Module, folder: str) -> None:
    """Writes model.safetensors and config.json in the Hugging Face hub layout (the published names)."""
    model.save_pretrained(folder, safe_serialization=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("name", choices=sorted(ARCHITECTURES))
    ap.add_argument("--out", required=True, help="folder for model.safetensors, input.npy, expected.npy")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--height", type=int, default=224)
    ap.add_argument("--width", type=int, default=224)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model = build(args.name, args.seed)
    save_model(model, args.out)
    rng = np.random.default_rng(args.seed + 1)
    pixels = rng.standard_normal((args.batch, 3, args.height, args.width)).astype(np.float32)
    np.save(os.path.join(args.out, "input.npy"), pixels)
    np.save(os.path.join(args.out, "expected.npy"), cls_features(model, pixels))
    print(json.dumps({"name": args.name, "out": args.out}))


if __name__ == "__main__":
    main()
