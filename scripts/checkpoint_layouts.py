#!/usr/bin/env python3
"""The published forms of a DINO ViT's weights, made from one hub-layout state dict, and a plain
torch forward of the original repositories' ViT to check them with.

Used by scripts/make_checkpoint_fixtures.py (tiny models, committed) and scripts/import_parity.py
(full-size models). Needs torch. Not run by CI.

Layouts (names as the published files hold them):
- hub: Hugging Face ViTModel / Dinov2Model (`embeddings.cls_token`, `encoder.layer.N.attention.attention.query.weight`, …);
- original: facebookresearch/dino and facebookresearch/dinov2 `vision_transformer.py` (`cls_token`, `pos_embed`,
  `patch_embed.proj.*`, `blocks.N.attn.qkv` fused [3D, D], `blocks.N.mlp.fc1`, `norm.*`; DINOv2 adds
  `mask_token` and `blocks.N.ls1.gamma` / `ls2.gamma`).
"""
import collections
import math
import os

import torch
from safetensors.torch import load_file


def hub_state_dict(folder: str) -> collections.OrderedDict:
    """The hub state dict of `folder`/model.safetensors (as save_pretrained wrote it), as an OrderedDict with
    `_metadata`, which is what `Module.state_dict()` returns and the hub's pytorch_model.bin files hold."""
    sd = collections.OrderedDict(sorted(load_file(os.path.join(folder, "model.safetensors")).items()))
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    return sd


def layers(hub: dict) -> int:
    n = 0
    while f"encoder.layer.{n}.attention.attention.query.weight" in hub:
        n += 1
    return n


def to_original(hub: dict, v2: bool) -> dict:
    """The hub state dict `hub` renamed (and Q, K, V fused) as the original DINO / DINOv2 checkpoints hold it."""
    out = {
        "cls_token": hub["embeddings.cls_token"],
        "pos_embed": hub["embeddings.position_embeddings"],
        "patch_embed.proj.weight": hub["embeddings.patch_embeddings.projection.weight"],
        "patch_embed.proj.bias": hub["embeddings.patch_embeddings.projection.bias"],
    }
    if v2:
        out["mask_token"] = hub["embeddings.mask_token"]
    for i in range(layers(hub)):
        h, o = f"encoder.layer.{i}.", f"blocks.{i}."
        a = h + "attention.attention."
        out[o + "norm1.weight"] = hub[h + ("norm1.weight" if v2 else "layernorm_before.weight")]
        out[o + "norm1.bias"] = hub[h + ("norm1.bias" if v2 else "layernorm_before.bias")]
        out[o + "attn.qkv.weight"] = torch.cat([hub[a + w + ".weight"] for w in ("query", "key", "value")])
        out[o + "attn.qkv.bias"] = torch.cat([hub[a + w + ".bias"] for w in ("query", "key", "value")])
        out[o + "attn.proj.weight"] = hub[h + "attention.output.dense.weight"]
        out[o + "attn.proj.bias"] = hub[h + "attention.output.dense.bias"]
        out[o + "norm2.weight"] = hub[h + ("norm2.weight" if v2 else "layernorm_after.weight")]
        out[o + "norm2.bias"] = hub[h + ("norm2.bias" if v2 else "layernorm_after.bias")]
        out[o + "mlp.fc1.weight"] = hub[h + ("mlp.fc1.weight" if v2 else "intermediate.dense.weight")]
        out[o + "mlp.fc1.bias"] = hub[h + ("mlp.fc1.bias" if v2 else "intermediate.dense.bias")]
        out[o + "mlp.fc2.weight"] = hub[h + ("mlp.fc2.weight" if v2 else "output.dense.weight")]
        out[o + "mlp.fc2.bias"] = hub[h + ("mlp.fc2.bias" if v2 else "output.dense.bias")]
        if v2:
            out[o + "ls1.gamma"] = hub[h + "layer_scale1.lambda1"]
            out[o + "ls2.gamma"] = hub[h + "layer_scale2.lambda1"]
    out["norm.weight"] = hub["layernorm.weight"]
    out["norm.bias"] = hub["layernorm.bias"]
    return {k: v.clone().contiguous() for k, v in out.items()}


def original_cls(sd: dict, pixels: torch.Tensor, heads: int, eps: float = 1e-6) -> torch.Tensor:
    """CLS token after the final norm of the original repositories' VisionTransformer, from its own state
    dict `sd` (written from their forward: no transformers code involved). Input at the native grid."""
    w = sd["patch_embed.proj.weight"]
    d, p = w.shape[0], w.shape[2]
    x = torch.nn.functional.conv2d(pixels, w, sd["patch_embed.proj.bias"], stride=p).flatten(2).transpose(1, 2)
    x = torch.cat([sd["cls_token"].expand(x.shape[0], -1, -1), x], dim=1) + sd["pos_embed"]
    i = 0
    while f"blocks.{i}.norm1.weight" in sd:
        b = f"blocks.{i}."
        y = torch.nn.functional.layer_norm(x, (d,), sd[b + "norm1.weight"], sd[b + "norm1.bias"], eps)
        qkv = (y @ sd[b + "attn.qkv.weight"].T + sd[b + "attn.qkv.bias"]).reshape(x.shape[0], x.shape[1], 3, heads, d // heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1) / math.sqrt(d // heads)).softmax(dim=-1)
        y = (attn @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], d)
        y = y @ sd[b + "attn.proj.weight"].T + sd[b + "attn.proj.bias"]
        x = x + (y * sd[b + "ls1.gamma"] if b + "ls1.gamma" in sd else y)
        y = torch.nn.functional.layer_norm(x, (d,), sd[b + "norm2.weight"], sd[b + "norm2.bias"], eps)
        y = torch.nn.functional.gelu(y @ sd[b + "mlp.fc1.weight"].T + sd[b + "mlp.fc1.bias"])
        y = y @ sd[b + "mlp.fc2.weight"].T + sd[b + "mlp.fc2.bias"]
        x = x + (y * sd[b + "ls2.gamma"] if b + "ls2.gamma" in sd else y)
        i += 1
    x = torch.nn.functional.layer_norm(x, (d,), sd["norm.weight"], sd["norm.bias"], eps)
    return x[:, 0]


def dino_training_checkpoint(original: dict, seed: int) -> dict:
    """As facebookresearch/dino's main_dino.py saves checkpoint.pth: teacher (backbone. prefix), student
    (DDP: module.backbone.), their heads, epoch, args. The student's weights differ from the teacher's,
    so a reader that takes the student gives other features."""
    import argparse

    g = torch.Generator().manual_seed(seed)
    d = original["cls_token"].shape[-1]
    head = {"head.mlp.0.weight": torch.randn(16, d, generator=g), "head.mlp.0.bias": torch.zeros(16),
            "head.last_layer.weight_g": torch.ones(8, 1), "head.last_layer.weight_v": torch.randn(8, 16, generator=g)}
    teacher = {"backbone." + k: v for k, v in original.items()} | head
    student = {"module.backbone." + k: v + 0.05 * torch.randn(v.shape, generator=g) for k, v in original.items()}
    student |= {"module." + k: v.clone() for k, v in head.items()}
    args = argparse.Namespace(arch="vit_small", patch_size=16, out_dim=8, lr=0.0005, epochs=100,
                              data_path="/path/to/imagenet/train", use_fp16=True)
    return {"student": student, "teacher": teacher, "optimizer": {"state": {}, "param_groups": [{"lr": 0.0005, "params": [0, 1]}]},
            "epoch": 100, "args": args, "dino_loss": {"center": torch.zeros(1, 8)}}


def dinov2_training_checkpoint(original: dict, seed: int) -> dict:
    """As facebookresearch/dinov2's trainer saves model_NNN.pth: {"model": {"student.backbone.…",
    "teacher.backbone.…", heads}, "iteration": N}; the student differs from the teacher."""
    g = torch.Generator().manual_seed(seed)
    model = {"teacher.backbone." + k: v for k, v in original.items()}
    model |= {"student.backbone." + k: v + 0.05 * torch.randn(v.shape, generator=g) for k, v in original.items()}
    model["teacher.dino_head.last_layer.weight_v"] = torch.randn(8, 16, generator=g)
    return {"model": model, "iteration": 12499}
