#!/usr/bin/env python3
"""End-to-end ingest throughput: `herd scan` against a Python peer doing the same job, same run.

"End to end" is from photo files on disk to feature rows committed in a SQLite catalogue, timed as
the wall time of a whole process on a fresh catalogue (process start, model load, library walk,
hashing, decoding, preprocessing, the encoder, the commits):
- herd: `herd init` then `herd scan --json` with `threads` and `batch_size` from the command line,
  then `herd status --json` checks that every photo has a feature row.
- peer: this script run as a subprocess with `--peer`: walk + stat, then per batch on a thread pool
  of the same size: SHA-256 of the file, Pillow open + `draft('RGB', (256, 256))` + EXIF transpose +
  resize shorter side to 256 (bicubic) + centre crop 224 + ImageNet normalisation; one onnxruntime
  call per batch (the same intra-op thread count); one SQLite transaction per batch (files + feature
  BLOB).
Both use the same random-weight DINO ViT-S/16 (scripts/reference_model.py, seed 100): safetensors
imported with `herd model import` for herd, its ONNX export for onnxruntime (the export is shared
with scripts/bench_onnxruntime.py and cached in --workdir).

Photo sets: `clothing` (../shared/data/photos/clothing, small real JPEGs) and `12mp` (--copies
distinct re-encodes of ../shared/data/robustness/large/012mp-bus.jpg, each cropped by a few pixels
and saved at a different quality so content hashes differ; written under --workdir, never committed).
Each measurement is repeated --repeats times, herd and peer alternating (and rotating order each
round) so both see the same machine load; the table gives median photos/s, their ratio, and the
median of the per-round ratios. `--precisions fp32 bf16` runs herd once per precision in every round
(`HERD_PRECISION`); the precision herd actually used is read back from `herd doctor` with the same
configuration and environment, and printed.

Needs `pip install torch==2.13.0 transformers onnx onnxruntime numpy pillow` and
`swift build -c release --product herd`. Not run by CI.

    python3 scripts/bench_ingest.py [--herd .build/release/herd] [--workdir /tmp/herd-bench-ingest]
        [--sets clothing 12mp] [--repeats 3] [--threads 2] [--batch 16] [--copies 24] [--precisions auto]
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
EXTENSIONS = (".jpg", ".jpeg", ".png")
MODEL_NAME = "dino-vits16-bench"
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


# --- the peer -------------------------------------------------------------------------------------

PEER_SCHEMA = """
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, device INTEGER, inode INTEGER,
                    size INTEGER, mtime REAL, content_hash BLOB, width INTEGER, height INTEGER,
                    state TEXT NOT NULL DEFAULT 'pending', error TEXT);
CREATE TABLE features (content_hash BLOB NOT NULL, model_id TEXT NOT NULL, vector BLOB NOT NULL,
                       PRIMARY KEY (content_hash, model_id));
"""


def peer_prepare(path: str, size: int = 256, crop: int = 224):
    """SHA-256 + DINO's evaluation transform with Pillow's JPEG draft mode → (hash, [3, crop, crop], w, h)."""
    import numpy as np
    from PIL import Image, ImageOps

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    with Image.open(path) as im:
        width, height = im.size
        im.draft("RGB", (size, size))  # DCT-scaled decode, as large as needed for `size`
        im = ImageOps.exif_transpose(im).convert("RGB")
    w, h = im.size
    if w <= h:
        rw, rh = size, int(size * h / w)
    else:
        rw, rh = int(size * w / h), size
    im = im.resize((rw, rh), Image.BICUBIC)
    left, top = int(round((rw - crop) / 2)), int(round((rh - crop) / 2))
    im = im.crop((left, top, left + crop, top + crop))
    x = np.asarray(im, dtype=np.float32) * (1 / 255)
    x = (x - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return digest.digest(), np.ascontiguousarray(x.transpose(2, 0, 1)), width, height


def peer_run(library: str, db: str, onnx_path: str, batch: int, threads: int) -> dict:
    """The peer's whole job; returns its own phase timings (seconds, summed over batches)."""
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning intra-op threads lose time on a shared, oversubscribed machine (measured here: ~8 img/s
    # without spinning against ~7 with it at batch 16), so the peer gets the faster setting.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    model_id = os.path.basename(onnx_path)

    con = sqlite3.connect(db, isolation_level=None)
    con.executescript(PEER_SCHEMA)
    con.execute("BEGIN")
    for root, dirs, files in os.walk(library):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(EXTENSIONS):
                continue
            path = os.path.join(root, name)
            st = os.lstat(path)
            con.execute("INSERT INTO files (path, device, inode, size, mtime) VALUES (?, ?, ?, ?, ?)",
                        (path, st.st_dev, st.st_ino, st.st_size, st.st_mtime))
    con.execute("COMMIT")
    pending = con.execute("SELECT id, path FROM files WHERE state = 'pending' ORDER BY id").fetchall()

    timings = {"prepare": 0.0, "infer": 0.0, "commit": 0.0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        for start in range(0, len(pending), batch):
            rows = pending[start:start + batch]
            t0 = time.perf_counter()
            prepared = list(pool.map(lambda row: peer_prepare(row[1]), rows))
            t1 = time.perf_counter()
            features = session.run(None, {"pixel_values": np.stack([p[1] for p in prepared])})[0]
            features /= np.linalg.norm(features, axis=1, keepdims=True)
            t2 = time.perf_counter()
            con.execute("BEGIN")
            for (file_id, _), (digest, _, w, h), vector in zip(rows, prepared, features):
                con.execute("INSERT OR IGNORE INTO features VALUES (?, ?, ?)",
                            (digest, model_id, vector.astype("<f4").tobytes()))
                con.execute("UPDATE files SET content_hash = ?, width = ?, height = ?, state = 'done' WHERE id = ?",
                            (digest, w, h, file_id))
            con.execute("COMMIT")
            timings["prepare"] += t1 - t0
            timings["infer"] += t2 - t1
            timings["commit"] += time.perf_counter() - t2
    timings["files"] = con.execute("SELECT count(*) FROM files WHERE state = 'done'").fetchone()[0]
    timings["features"] = con.execute("SELECT count(*) FROM features").fetchone()[0]
    con.close()
    return timings


# --- the benchmark --------------------------------------------------------------------------------

def photos_in(folder: str) -> list:
    return sorted(os.path.join(r, n) for r, _, fs in os.walk(folder) for n in fs if n.lower().endswith(EXTENSIONS))


def make_12mp(folder: str, copies: int) -> str:
    """`copies` distinct ~12 MP JPEGs from the bus photo (cropped by 2·i pixels, quality 86–95)."""
    from PIL import Image

    marker = os.path.join(folder, f".complete-{copies}")
    if os.path.exists(marker):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with Image.open(os.path.join(SHARED, "robustness", "large", "012mp-bus.jpg")) as im:
        exif = im.info.get("exif", b"")
        im.load()
        for i in range(copies):
            w, h = im.size
            im.crop((i, i, w - i, h - i)).save(os.path.join(folder, f"bus-{i:03}.jpg"), quality=86 + i % 10,
                                               exif=exif)
    open(marker, "w").close()
    return folder


def prepare_model(herd: str, work: str) -> tuple:
    """The random-weight model: ONNX for the peer, imported into a herd model store. Cached in `work`."""
    sys.path.insert(0, HERE)
    import bench_onnxruntime  # noqa: E402  (builds and exports the same seeded model)

    folder = bench_onnxruntime.export(work)
    models = os.path.join(work, "herd-models")
    if not os.path.exists(os.path.join(models, MODEL_NAME)):
        subprocess.run([herd, "model", "import", os.path.join(folder, "model.safetensors"), "--name", MODEL_NAME,
                        "--models-dir", models], check=True, capture_output=True)
    return os.path.join(folder, "model.onnx"), models


def run_herd(herd: str, library: str, models: str, run_dir: str, args, precision: str = "auto") -> dict:
    shutil.rmtree(run_dir, ignore_errors=True)
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(run_dir, "config"), XDG_DATA_HOME=os.path.join(run_dir, "data"),
               XDG_CACHE_HOME=os.path.join(run_dir, "cache"), HERD_MODELS_DIR=models,
               HERD_THREADS=str(args.threads), HERD_BATCH_SIZE=str(args.batch), HERD_LOG_LEVEL="warning",
               HERD_PRECISION=precision)
    subprocess.run([herd, "init", library, "--output", os.path.join(run_dir, "herds"), "--model", MODEL_NAME],
                   env=env, check=True, capture_output=True)
    # The precision the scan below runs in, as herd resolves it with this configuration and environment
    # (for auto: what `herd doctor --measure` chooses in its own measurement, which the scan repeats).
    doctor = subprocess.run([herd, "doctor", "--measure", "--model", MODEL_NAME, "--threads", str(args.threads)], env=env,
                            check=True, capture_output=True, text=True).stdout
    chose = next((l for l in doctor.splitlines() if l.startswith("auto chose ")), None)
    line = next((l for l in doctor.splitlines() if l.startswith("precision:")), "precision: unknown")
    used = chose.split()[2] if chose and precision == "auto" else (
        line.split("ingest runs", 1)[-1].split()[0] if "ingest runs" in line else "unknown")
    t0 = time.perf_counter()
    scan = subprocess.run([herd, "scan", "--json"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if scan.returncode != 0:
        sys.exit(f"herd scan failed ({scan.returncode}): {scan.stderr.strip()}")
    status = json.loads(subprocess.run([herd, "status", "--json"], env=env, check=True, capture_output=True,
                                       text=True).stdout)
    return {"seconds": seconds, "embedded": status["counts"]["embedded"], "features": status["counts"]["features"],
            "ingest_rate": status.get("ingestRate"), "blas": status.get("blasCore"), "precision": used}


def run_peer(library: str, onnx_path: str, run_dir: str, args) -> dict:
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--peer", library, os.path.join(run_dir, "peer.sqlite"),
                          onnx_path, "--threads", str(args.threads), "--batch", str(args.batch)],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    result["seconds"] = time.perf_counter() - t0
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=".build/release/herd")
    ap.add_argument("--workdir", default="/tmp/herd-bench-ingest")
    ap.add_argument("--sets", nargs="+", default=["clothing", "12mp"], choices=["clothing", "12mp"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--copies", type=int, default=24, help="12 MP photos in the 12mp set")
    ap.add_argument("--precisions", nargs="+", default=["auto"], choices=["auto", "fp32", "bf16", "bf16-onednn"],
                    help="herd runs once per precision in every round (HERD_PRECISION)")
    ap.add_argument("--peer", nargs=3, metavar=("LIBRARY", "DB", "ONNX"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer:
        print(json.dumps(peer_run(*args.peer, batch=args.batch, threads=args.threads)))
        return

    import onnxruntime
    import PIL

    herd = os.path.abspath(args.herd)
    os.makedirs(args.workdir, exist_ok=True)
    onnx_path, models = prepare_model(herd, args.workdir)
    libraries = {"clothing": os.path.join(SHARED, "photos", "clothing"),
                 "12mp": make_12mp(os.path.join(args.workdir, "photos-12mp"), args.copies)}
    print(f"herd {herd}; peer: Python {sys.version.split()[0]}, Pillow {PIL.__version__}, onnxruntime "
          f"{onnxruntime.__version__}; threads {args.threads}, batch {args.batch}, {args.repeats} rounds; "
          f"loadavg {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for name in args.sets:
        library = libraries[name]
        count = len(photos_in(library))
        herd_runs = {precision: [] for precision in args.precisions}
        peer_runs = []
        contenders = [("herd", precision) for precision in args.precisions] + [("peer", None)]
        for r in range(args.repeats):
            order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
            for who, precision in order:
                if who == "herd":
                    h = run_herd(herd, library, models, os.path.join(args.workdir, "run-herd"), args, precision)
                    if h["embedded"] != count:
                        sys.exit(f"herd embedded {h['embedded']} of {count} photos in {name}")
                    herd_runs[precision].append(h)
                else:
                    p = run_peer(library, onnx_path, os.path.join(args.workdir, "run-peer"), args)
                    if p["files"] != count:
                        sys.exit(f"peer embedded {p['files']} of {count} photos in {name}")
                    peer_runs.append(p)
            p = peer_runs[-1]
            herds = "; ".join(f"herd {precision} → {runs[-1]['precision']} {runs[-1]['seconds']:.2f} s (BLAS "
                              f"{runs[-1]['blas']}, in-scan ingest {runs[-1]['ingest_rate'] or 0:.1f} photos/s)"
                              for precision, runs in herd_runs.items())
            print(f"  {name} round {r}: {herds}; peer {p['seconds']:.2f} s (prepare {p['prepare']:.2f} s, "
                  f"onnxruntime {p['infer']:.2f} s, SQLite {p['commit']:.2f} s); loadavg {os.getloadavg()[0]:.1f}",
                  flush=True)
        # Each round's herd/peer ratio pairs runs made back to back, under about the same load.
        for precision, runs in herd_runs.items():
            used = "/".join(sorted({h["precision"] for h in runs}))
            results[(name, precision)] = (count, used, statistics.median(count / h["seconds"] for h in runs),
                                          statistics.median(count / p["seconds"] for p in peer_runs),
                                          statistics.median(p["seconds"] / h["seconds"] for h, p in zip(runs, peer_runs)))
    print()
    print(f"{'set':<10} {'photos':>6} {'precision':>14} {'herd photos/s':>14} {'peer photos/s':>14} {'ratio':>6} "
          f"{'median round ratio':>19}")
    for (name, precision), (count, used, h, p, paired) in results.items():
        print(f"{name:<10} {count:>6} {precision + ' → ' + used:>14} {h:>14.2f} {p:>14.2f} {h / p:>6.2f} {paired:>19.2f}")
    print(f"loadavg at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
