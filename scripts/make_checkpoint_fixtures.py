#!/usr/bin/env python3
"""Writes the tiny models' other published forms beside their model.safetensors (needs torch; not run by CI)
and checks that each form holds the same model as transformers' features say.

For Tests/EncoderTests/Fixtures/tiny-v1 (DINO v1) and tiny-v2 (DINOv2), from the committed model.safetensors
(hub names, written by scripts/make_fixtures.py):
- pytorch_model.bin: torch.save of the hub state dict (an OrderedDict with _metadata, as the hub's files are);
- original.pth: the original repository's names and fused qkv (scripts/checkpoint_layouts.py);
- pytorch_model-f16.bin, pytorch_model-bf16.bin (tiny-v1): the weights rounded to float16 / bfloat16 (HalfStorage,
  BFloat16Storage);
- pytorch_model-zip64.bin (tiny-v1): the same zip with ZIP64 sizes, offsets and end records;
- training-checkpoint.pth: the original weights nested as the training code saves them (teacher and a
  different student; DINO v1 with argparse args, DINOv2 under "model").
Each is read back with torch.load and run through the original repositories' forward
(checkpoint_layouts.original_cls), which must give the committed transformers features.

And Tests/EncoderTests/Fixtures/hostile/: files a checkpoint reader must refuse (see README.md there).
"""
import collections
import io
import os
import struct
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import checkpoint_layouts as layouts  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "Tests", "EncoderTests", "Fixtures")
# The file the hostile pickles would create if anything ran them (the Swift tests check it never appears).
PWNED = "/tmp/herd-checkpoint-fixture-executed"


def check(name: str, original: dict, folder: str, heads: int) -> None:
    pixels = torch.from_numpy(np.load(os.path.join(folder, "native-input.npy")))
    expected = np.load(os.path.join(folder, "native-expected.npy"))
    got = layouts.original_cls(original, pixels, heads).detach().numpy()
    diff = float(np.abs(got - expected).max())
    print(f"  {name}: max |diff| against transformers {diff:.2e}")
    if diff > 1e-4:
        sys.exit(f"{folder}/{name} does not hold the model transformers ran")


def write_forms(folder: str, v2: bool, heads: int, seed: int) -> None:
    print(folder)
    hub = layouts.hub_state_dict(folder)
    torch.save(hub, os.path.join(folder, "pytorch_model.bin"))
    original = layouts.to_original(hub, v2)
    torch.save(original, os.path.join(folder, "original.pth"))
    nested = layouts.dinov2_training_checkpoint(original, seed) if v2 else layouts.dino_training_checkpoint(original, seed)
    torch.save(nested, os.path.join(folder, "training-checkpoint.pth"))

    reread = torch.load(os.path.join(folder, "pytorch_model.bin"), weights_only=True)
    check("pytorch_model.bin", layouts.to_original(reread, v2), folder, heads)
    if not v2:
        for dtype, suffix in [(torch.float16, "f16"), (torch.bfloat16, "bf16")]:
            low = collections.OrderedDict((k, v.to(dtype)) for k, v in hub.items())
            torch.save(low, os.path.join(folder, f"pytorch_model-{suffix}.bin"))
        write_zip64(os.path.join(folder, "pytorch_model.bin"), os.path.join(folder, "pytorch_model-zip64.bin"))
        reread = torch.load(os.path.join(folder, "pytorch_model-zip64.bin"), weights_only=True)
        check("pytorch_model-zip64.bin", layouts.to_original(reread, v2), folder, heads)
    check("original.pth", torch.load(os.path.join(folder, "original.pth"), weights_only=True), folder, heads)
    loaded = torch.load(os.path.join(folder, "training-checkpoint.pth"), weights_only=False)
    if v2:
        teacher = {k[len("teacher.backbone."):]: t for k, t in loaded["model"].items() if k.startswith("teacher.backbone.")}
    else:
        teacher = {k[len("backbone."):]: t for k, t in loaded["teacher"].items() if k.startswith("backbone.")}
    check("training-checkpoint.pth (teacher)", teacher, folder, heads)


class Command:
    """Pickles as a call of `function(argument)`: what a hostile checkpoint does."""

    def __init__(self, function, argument):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return (self.function, (self.argument,))


def rewrite_zip(source: str, target: str, change) -> None:
    """Copies the zip `source` entry by entry (stored, as torch writes them), with `change(name, data)`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))


def write_zip64(source: str, target: str) -> None:
    """Rewrites the zip `source` with every size and offset in ZIP64 fields (as torch writes checkpoints over
    4 GiB): 0xFFFFFFFF in the 32-bit fields, the values in extra field 1, a ZIP64 end record and locator."""
    with zipfile.ZipFile(source) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    out, central = bytearray(), bytearray()
    for info, data in entries:
        name = info.filename.encode()
        offset = len(out)
        crc = zipfile.crc32(data)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), 20)
        out += name + struct.pack("<HHQQ", 1, 16, len(data), len(data)) + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                               len(name), 28, 0, 0, 0, 0, 0xFFFFFFFF)
        central += name + struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
    start = len(out)
    out += central
    end64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(entries), len(entries), len(central), start)
    out += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    open(target, "wb").write(bytes(out))
    with zipfile.ZipFile(target) as check:
        assert check.testzip() is None and [i.filename for i in check.infolist()] == [i.filename for i, _ in entries]


def write_hostile(v1_folder: str) -> None:
    out = os.path.join(FIXTURES, "hostile")
    os.makedirs(out, exist_ok=True)
    hub = layouts.hub_state_dict(v1_folder)
    bin_path = os.path.join(v1_folder, "pytorch_model.bin")

    # Globals that would run a command; tensors come first in the pickle, the call last.
    import os as os_module
    import builtins
    evil = collections.OrderedDict(list(hub.items())[:3])
    evil["config"] = Command(os_module.system, f"touch {PWNED}")
    torch.save(evil, os.path.join(out, "os-system.pth"))
    evil = collections.OrderedDict(list(hub.items())[:3])
    evil["config"] = Command(builtins.eval, f"__import__('os').system('touch {PWNED}')")
    torch.save(evil, os.path.join(out, "eval.pth"))

    # A checkpoint cut short (no central directory left); a few tensors suffice to show it, and below.
    small = os.path.join(out, "small.bin")
    torch.save(collections.OrderedDict(list(hub.items())[:4]), small)
    data = open(small, "rb").read()
    os.remove(small)
    open(os.path.join(out, "truncated.bin"), "wb").write(data[: len(data) * 6 // 10])

    # The central directory claims 3 GiB for the first tensor's storage.
    end = data.rindex(b"PK\x05\x06")
    count, cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
    patched = bytearray(data)
    at = cd_offset
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", patched, at + 28)
        name = bytes(patched[at + 46: at + 46 + name_len]).decode()
        if name.endswith("/data/0"):
            struct.pack_into("<II", patched, at + 20, 3 << 30, 3 << 30)
        at += 46 + name_len + extra_len + comment_len
    open(os.path.join(out, "huge-entry.bin"), "wb").write(bytes(patched))

    # A storage entry holding half the bytes its tensor needs.
    rewrite_zip(bin_path, os.path.join(out, "short-storage.bin"),
                lambda name, blob: blob[: len(blob) // 2] if name.endswith("/data/3") else blob)

    # Hub names, one shape that fits no model.
    wrong = collections.OrderedDict(hub)
    wrong["encoder.layer.1.attention.attention.key.weight"] = torch.zeros(32, 30)
    torch.save(wrong, os.path.join(out, "wrong-shape.bin"))

    # Another network altogether.
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8, 4))
    torch.save(net.state_dict(), os.path.join(out, "other-model.bin"))

    # PyTorch's serialization before 1.6 (not a zip).
    torch.save(collections.OrderedDict(list(hub.items())[:4]), os.path.join(out, "legacy.bin"), _use_new_zipfile_serialization=False)
    for name in sorted(os.listdir(out)):
        print(f"  hostile/{name}: {os.path.getsize(os.path.join(out, name))} bytes")


def main() -> None:
    torch.manual_seed(0)
    write_forms(os.path.join(FIXTURES, "tiny-v1"), v2=False, heads=2, seed=21)
    write_forms(os.path.join(FIXTURES, "tiny-v2"), v2=True, heads=4, seed=22)
    write_hostile(os.path.join(FIXTURES, "tiny-v1"))
    if os.path.exists(PWNED):
        sys.exit(f"{PWNED} exists: something ran a hostile pickle")


if __name__ == "__main__":
    main()
