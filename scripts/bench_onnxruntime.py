#!/usr/bin/env python3
"""ViT-S/16 throughput: herd (fp32 or bf16) against onnxruntime fp32 on the same random-weight model, same run.

Builds DINO ViT-S/16 with seeded random weights (scripts/reference_model.py), saves it as
safetensors for herd and exports it to ONNX for onnxruntime, then alternates the two at each batch
size so both see the same machine load. Prints images/s and the herd/onnxruntime ratio, and the
precision herd ran in (`--precision`, default auto: bf16 where the CPU has AVX512_BF16).
Needs `pip install torch==2.13.0 transformers onnx onnxruntime numpy` and
`swift build -c release`.

    python3 scripts/bench_onnxruntime.py [--threads 2] [--batches 1 8] [--seconds 10] [--rounds 2]
                                        [--precision auto|fp32|bf16]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_model  # noqa: E402
import torch  # noqa: E402


class CLS(torch.nn.Module):
    """The CLS feature of a transformers ViT, as one module for ONNX export and for torch timing."""
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, pixel_values):
        return self.inner(pixel_values=pixel_values).last_hidden_state[:, 0, :]


def export_onnx(model, onnx_path: str) -> None:
    """The model's CLS feature exported to ONNX (opset 17, dynamic batch)."""
    torch.onnx.export(CLS(model).eval(), (torch.zeros(1, 3, 224, 224),), onnx_path,
                      input_names=["pixel_values"], output_names=["cls"],
                      dynamic_axes={"pixel_values": {0: "batch"}, "cls": {0: "batch"}},
                      opset_version=17, dynamo=False)


def export(work: str) -> str:
    folder = os.path.join(work, "dino-vits16")
    onnx_path = os.path.join(folder, "model.onnx")
    if not os.path.exists(onnx_path):
        os.makedirs(folder, exist_ok=True)
        model = reference_model.build("dino-vits16", seed=100)
        reference_model.save_model(model, folder)
        export_onnx(model, onnx_path)
    return folder


def bench_ort(onnx_path: str, batch: int, threads: int, seconds: float) -> float:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).standard_normal((batch, 3, 224, 224)).astype(np.float32)
    session.run(None, {"pixel_values": x})
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 3:
        t0 = time.perf_counter()
        session.run(None, {"pixel_values": x})
        times.append(time.perf_counter() - t0)
    return batch / sorted(times)[len(times) // 2]


def bench_herd(herd: str, folder: str, batch: int, threads: int, seconds: float, precision: str = "auto") -> dict:
    out = subprocess.run([herd, "bench", "encoder", "--model", os.path.join(folder, "model.safetensors"),
                          "--batch", str(batch), "--threads", str(threads), "--seconds", str(seconds), "--json",
                          "--precision", precision],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-bench")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, nargs="*", default=[1, 8])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rounds", type=int, default=2, help="alternations of herd and onnxruntime per batch size")
    ap.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"], help="herd's encoder precision")
    args = ap.parse_args()
    import onnxruntime
    folder = export(args.work)
    print(f"onnxruntime {onnxruntime.__version__}, {args.threads} threads, median pass, loadavg {os.getloadavg()[0]:.1f}")
    print(f"{'batch':>5} {'round':>5} {'herd img/s':>11} {'ort img/s':>10} {'ratio':>6} {'herd peak RSS MB':>17} {'herd precision':>15}")
    summary = []
    for batch in args.batches:
        herd_rates, ort_rates = [], []
        for r in range(args.rounds):
            h = bench_herd(args.herd, folder, batch, args.threads, args.seconds, args.precision)
            used = h.get("precision", "fp32")
            o = bench_ort(os.path.join(folder, "model.onnx"), batch, args.threads, args.seconds)
            herd_rates.append(h["images_per_second"])
            ort_rates.append(o)
            print(f"{batch:>5} {r:>5} {h['images_per_second']:>11.2f} {o:>10.2f} {h['images_per_second'] / o:>6.2f} {h['peak_rss_mb']:>17.0f} {used:>15}", flush=True)
        ratios = sorted(a / b for a, b in zip(herd_rates, ort_rates))
        summary.append((batch, max(herd_rates), max(ort_rates), ratios[len(ratios) // 2]))
    print("batch  best herd  best ort  ratio of bests  median ratio")
    for batch, h, o, median in summary:
        print(f"{batch:>5} {h:>10.2f} {o:>9.2f} {h / o:>15.2f} {median:>13.2f}")
    print(f"loadavg at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
