#!/usr/bin/env python3
"""herd against PyTorch and onnxruntime, side by side, on the same random-weight ViT-S/16 and ViT-B/16.

For each model and batch size, rounds alternate: `herd bench encoder --compare-precisions` (every
herd path — fp32 on OpenBLAS, bf16 on herd's VDPBF16PS kernel, bf16-onednn — and `auto`, whose
own measurement at load picks one of them; passes alternate inside it), PyTorch fp32, PyTorch
bf16 autocast (oneDNN; AMX tiles where the CPU has them) and onnxruntime fp32, all with the same
threads. Prints images/s of the median pass per round, the best of each, and the ratios the
encoder's goals are stated in: herd auto against PyTorch bf16 autocast (the goal on CPUs with AMX)
and against the best of PyTorch and onnxruntime (on CPUs without), and herd auto against herd's
fastest path. Writes the CPU (`lscpu` model name and the relevant flags) first.

Needs `pip install torch==2.13.0 transformers onnx onnxruntime numpy` and a release build of herd.

    python3 scripts/bench_peers.py [--herd .build/release/herd] [--models dino-vits16 dino-vitb16]
                                   [--batches 1 8] [--threads 2] [--seconds 5] [--rounds 2] [--json OUT]
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
from bench_onnxruntime import CLS, bench_ort, export_onnx  # noqa: E402

FLAGS = ["avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8", "avx512_vnni"]


def cpu() -> str:
    text = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    flags = fields.get("Flags", "").split()
    return f"{fields.get('Model name', '?').strip()}; flags: {' '.join(f for f in FLAGS if f in flags) or 'none of ' + ' '.join(FLAGS)}"


def prepare(name: str, work: str, seed: int):
    """The model saved for herd (safetensors) and exported to ONNX, and the torch module."""
    folder = os.path.join(work, name)
    model = reference_model.build(name, seed=seed)
    onnx_path = os.path.join(folder, "model.onnx")
    if not os.path.exists(onnx_path):
        os.makedirs(folder, exist_ok=True)
        reference_model.save_model(model, folder)
        export_onnx(model, onnx_path)
    return folder, CLS(model).eval()


def timed(run, batch: int, seconds: float) -> float:
    """Images/s of the median pass of `run` (one warm-up pass first)."""
    run()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 3:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return batch / sorted(times)[len(times) // 2]


def bench_torch(module, batch: int, seconds: float, bf16: bool) -> float:
    x = torch.from_numpy(np.random.default_rng(1).standard_normal((batch, 3, 224, 224)).astype(np.float32))

    def run():
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            module(x)
    return timed(run, batch, seconds)


def bench_herd(herd: str, folder: str, batch: int, threads: int, seconds: float) -> dict:
    environment = dict(os.environ)
    environment.pop("OPENBLAS_CORETYPE", None)  # herd picks its OpenBLAS kernels itself
    out = subprocess.run([herd, "bench", "encoder", "--model", os.path.join(folder, "model.safetensors"),
                          "--batch", str(batch), "--threads", str(threads), "--seconds", str(seconds),
                          "--compare-precisions", "--json"], check=True, capture_output=True, text=True, env=environment).stdout
    report = json.loads(out)
    rates = {r["path"].split(" ")[0]: r["images_per_second"] for r in report["results"]}
    auto = next(r for r in report["results"] if r["path"].startswith("auto"))
    return {"rates": rates, "auto_path": auto["precision"], "auto_report": report.get("auto_report", "")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--work", default="/tmp/herd-bench-peers")
    ap.add_argument("--models", nargs="*", default=["dino-vits16", "dino-vitb16"])
    ap.add_argument("--batches", type=int, nargs="*", default=[1, 8])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()
    import onnxruntime
    torch.set_num_threads(args.threads)
    print(f"CPU: {cpu()}")
    print(f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, {args.threads} threads, "
          f"median pass per round, loadavg {os.getloadavg()[0]:.1f}", flush=True)
    header = ["herd auto", "herd fp32", "herd bf16", "herd onednn", "torch fp32", "torch bf16", "ort fp32"]
    print(f"{'model':<12} {'batch':>5} {'round':>5} " + " ".join(f"{h:>11}" for h in header) + "  auto ran", flush=True)
    records, summary = [], []
    for i, name in enumerate(args.models):
        folder, module = prepare(name, args.work, seed=100 + i)
        for batch in args.batches:
            rounds = []
            for r in range(args.rounds):
                h = bench_herd(args.herd, folder, batch, args.threads, args.seconds)
                row = {"herd auto": next(v for k, v in h["rates"].items() if k == "auto"),
                       "herd fp32": h["rates"].get("fp32"), "herd bf16": h["rates"].get("bf16"),
                       "herd onednn": h["rates"].get("bf16-onednn"),
                       "torch fp32": bench_torch(module, batch, args.seconds, bf16=False),
                       "torch bf16": bench_torch(module, batch, args.seconds, bf16=True),
                       "ort fp32": bench_ort(os.path.join(folder, "model.onnx"), batch, args.threads, args.seconds)}
                rounds.append(row)
                records.append({"model": name, "batch": batch, "round": r, "auto_path": h["auto_path"], **row})
                cells = " ".join(f"{row[k]:>11.2f}" if row[k] is not None else f"{'-':>11}" for k in header)
                print(f"{name:<12} {batch:>5} {r:>5} {cells}  {h['auto_path']}", flush=True)
            best = {k: max((x[k] for x in rounds if x[k] is not None), default=None) for k in header}
            summary.append((name, batch, best, rounds))
    print("\nbest of rounds, and the ratios of the goals (median over rounds of the per-round ratio):")
    print(f"{'model':<12} {'batch':>5} {'herd auto':>10} {'torch bf16':>11} {'best peer':>10} "
          f"{'auto/torch bf16':>16} {'auto/best peer':>15} {'auto/herd fastest':>18}")
    for name, batch, best, rounds in summary:
        def median(values):
            values = sorted(values)
            return values[len(values) // 2]
        vs_bf16 = median([x["herd auto"] / x["torch bf16"] for x in rounds])
        vs_peer = median([x["herd auto"] / max(x["torch fp32"], x["torch bf16"], x["ort fp32"]) for x in rounds])
        vs_own = median([x["herd auto"] / max(v for k, v in x.items() if k.startswith("herd ") and k != "herd auto" and v) for x in rounds])
        peer = max(best["torch fp32"], best["torch bf16"], best["ort fp32"])
        print(f"{name:<12} {batch:>5} {best['herd auto']:>10.2f} {best['torch bf16']:>11.2f} {peer:>10.2f} "
              f"{vs_bf16:>16.2f} {vs_peer:>15.2f} {vs_own:>18.2f}")
    print(f"loadavg at end {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu(), "threads": args.threads, "records": records}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
