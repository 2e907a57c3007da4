#!/usr/bin/env python3
"""How `herd run` copes with a large library.

Generates a library of small JPEGs in many folders (Pillow), runs `herd run` on it with the fast test encoder
(byte-histogram-64) and reports: the initial scan + catalogue time (the daemon's own figure, encoding excluded), the
time until every photo is embedded, the first retrain's time, the longest folder write, the daemon's peak RSS, and
the latency from a new photo's close-after-write to its link in a herd folder (median and worst of --new photos), and
from deleting those photos again to their links leaving.

    python3 scripts/measure_scale.py --photos 100000 --folders 1000 [--herd .build/release/herd] [--keep]
    python3 scripts/measure_scale.py --photos 5000 --folders 50 --model NAME --models-dir DIR   # a real-architecture ViT
    python3 scripts/measure_scale.py --reuse /tmp/herd-scale-XXXX [--herd ...]   # again on a library kept by --keep

With --reuse the library and catalogue of an earlier --keep run are used as they are: the daemon starts on them, and
once it is watching, the latency and RSS are measured again (new photos get names no earlier run used).

It also reports the bytes the daemon read through read(2) and pread(2) (`/proc/PID/io` rchar) until every photo was
embedded, against the library's size: the photos (each read once) plus every catalogue page SQLite read.

Needs Pillow (`pip install pillow`); everything lives in a temporary folder that is removed at the end.
"""
import argparse, glob, io, os, re, random, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure_idle import cpu_model, environment, finish, generate, rss_kib, status  # noqa: E402
from PIL import Image  # noqa: E402


def read_bytes(pid):
    """Bytes the process has read through read(2)-like calls (`rchar` of /proc/PID/io)."""
    with open(f"/proc/{pid}/io") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("rchar:"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100000)
    parser.add_argument("--folders", type=int, default=1000)
    parser.add_argument("--new", type=int, default=5, help="photos added one by one for the latency figure")
    parser.add_argument("--herd", default=".build/debug/herd")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--model", default="byte-histogram-64", help="model name (installed in --models-dir for a ViT)")
    parser.add_argument("--models-dir", help="HERD_MODELS_DIR holding --model")
    parser.add_argument("--reuse", help="the folder an earlier --keep run left: measure the latency again (kept)")
    args = parser.parse_args()
    herd = os.path.abspath(args.herd)
    root = os.path.abspath(args.reuse) if args.reuse else tempfile.mkdtemp(prefix="herd-scale-")
    if args.reuse:
        args.keep = True
    env = environment(root, "debug")
    env["HERD_MODEL"] = args.model
    if args.models_dir:
        env["HERD_MODELS_DIR"] = os.path.abspath(args.models_dir)
    library, output = root + "/Pictures", root + "/herds"
    daemon = None
    try:
        started = time.time()
        if not args.reuse:
            generate(library, args.photos, args.folders)
            print(f"generated {args.photos} photos in {args.folders} folders ({time.time() - started:.0f} s)", flush=True)
        files = [os.path.join(d, f) for d, _, fs in os.walk(library) for f in fs]
        library_bytes = sum(os.path.getsize(f) for f in files)
        if not args.reuse:
            subprocess.run([herd, "init", library, "--output", output, "--model", args.model], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        log_path = root + "/daemon.log"
        log = open(log_path, "w")
        started = time.time()
        daemon = subprocess.Popen([herd, "run"], env=env, stdout=subprocess.DEVNULL, stderr=log)

        embedded_at = None
        while True:
            time.sleep(2)
            if daemon.poll() is not None:
                sys.exit(f"herd run exited with {daemon.returncode}; see {log_path}")
            s = status(herd, env)
            counts = s.get("counts", {})
            if embedded_at is None and counts.get("pending") == 0 and counts.get("embedded", 0) > 0:
                embedded_at = time.time() - started
                read_at_embedded = read_bytes(daemon.pid)
                print(f"embedded {counts.get('embedded')} photos {embedded_at:.0f} s after start", flush=True)
            phase = (s.get("daemon") or {}).get("phase", "")
            if embedded_at is not None and phase == "watching" and s.get("clusters"):
                break
        settled = time.time() - started
        scan = (s.get("lastScan") or {}).get("detail", "")
        scan_seconds = re.search(r"\(([\d.]+) s\)$", scan)
        retrain = s.get("lastRetrain") or {}
        time.sleep(5)
        folder_writes = [float(m) for m in re.findall(r"seconds=([\d.]+).*folders updated", open(log_path).read())]

        # Latency: a new photo written straight into the library, timed from its close to its link appearing.
        latencies = []
        # Names and pictures no earlier run on this library used (its features would be reused, not computed).
        run = int(time.time())
        rng = random.Random(run)
        for i in range(args.new):
            image = Image.new("RGB", (48, 48), tuple(rng.randrange(256) for _ in range(3)))
            data = io.BytesIO()
            image.save(data, format="JPEG", quality=85)
            name = f"new-{run}-{i:03d}.jpg"
            path = os.path.join(library, "album-0000", name)
            with open(path, "wb") as f:
                f.write(data.getvalue())
            closed = time.time()
            while not glob.glob(os.path.join(glob.escape(output), "*", name)):
                if time.time() - closed > 120:
                    sys.exit(f"no link for {path} after 120 s; see {log_path}")
                time.sleep(0.01)
            latencies.append(time.time() - closed)
            time.sleep(3)
        # And back: each new photo deleted, timed from the unlink to its link leaving the herd folder.
        removals = []
        for i in range(args.new):
            name = f"new-{run}-{i:03d}.jpg"
            os.unlink(os.path.join(library, "album-0000", name))
            deleted = time.time()
            while glob.glob(os.path.join(glob.escape(output), "[0-9]*", name)):
                if time.time() - deleted > 120:
                    sys.exit(f"the link to deleted {name} is still there after 120 s; see {log_path}")
                time.sleep(0.01)
            removals.append(time.time() - deleted)
            time.sleep(3)
        rss, hwm = rss_kib(daemon.pid)
        print(f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; herd binary {args.herd}")
        print(f"library: {len(files)} photos in {args.folders} folders, {library_bytes / 2**20:.1f} MiB; model {args.model}")
        print(f"read by the daemon (photos and catalogue pages) until all were embedded: {read_at_embedded / 2**20:.1f} MiB "
              f"({read_at_embedded / library_bytes:.2f}× the library)")
        print(f"initial scan + catalogue: {scan_seconds.group(1) if scan_seconds else '?'} s ({scan})")
        print(f"all embedded {embedded_at:.0f} s after start; clustered and watching after {settled:.0f} s")
        print(f"first retrain: {retrain.get('seconds', 0):.1f} s ({retrain.get('photos')} photos, "
              f"{retrain.get('clusters')} clusters, {retrain.get('method')})")
        if folder_writes:
            print(f"folder writing: longest {max(folder_writes):.2f} s, {len(folder_writes)} writes, "
                  f"{sum(folder_writes):.1f} s in all")
        print(f"close-after-write → link: median {statistics.median(latencies):.2f} s, worst {max(latencies):.2f} s "
              f"({len(latencies)} photos, debounce_ms 1000)")
        print(f"delete → link gone: median {statistics.median(removals):.2f} s, worst {max(removals):.2f} s "
              f"({len(removals)} photos)")
        print(f"RSS now {rss / 1024:.0f} MiB, peak {hwm / 1024:.0f} MiB")
    finally:
        finish(daemon, root, args.keep)

if __name__ == "__main__":
    main()
