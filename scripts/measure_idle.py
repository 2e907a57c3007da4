#!/usr/bin/env python3
"""How idle an idle `herd run` is.

Generates a library of small JPEGs (Pillow), lets `herd run` ingest and cluster it with the fast test encoder
(byte-histogram-64), waits until it is quiet, then measures for --minutes with nothing changing: the daemon's CPU
time from /proc/PID/stat (utime + stime), its RSS, and the sizes of the catalogue and its WAL before and after.

    python3 scripts/measure_idle.py --photos 10000 --minutes 10 [--herd .build/release/herd] [--keep]

Needs Pillow (`pip install pillow`); everything lives in a temporary folder that is removed at the end.
"""
import argparse, json, os, random, shutil, signal, subprocess, sys, tempfile, time

from PIL import Image, ImageDraw


def generate(library, photos, folders):
    """`photos` distinct 48×48 JPEGs in `folders` folders: random rectangles on a random background, so that no two look
    alike (near-identical pictures would make the duplicate search, not the daemon, the subject)."""
    rng = random.Random(12)
    for i in range(photos):
        folder = os.path.join(library, f"album-{i % folders:04d}")
        os.makedirs(folder, exist_ok=True)
        image = Image.new("RGB", (48, 48), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x0, y0 = rng.randrange(40), rng.randrange(40)
            draw.rectangle([x0, y0, x0 + rng.randrange(4, 24), y0 + rng.randrange(4, 24)],
                           fill=tuple(rng.randrange(256) for _ in range(3)))
        image.save(os.path.join(folder, f"photo-{i:06d}.jpg"), quality=85)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields after the name: state is [0], utime [11], stime [12] (stat(5) numbers 14 and 15).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            values[key] = value.strip()
    return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])


def size(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def environment(root, log_level):
    """The process environment with every herd path inside `root` and the test encoder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HERD_", "XDG_")) and k != "NOTIFY_SOCKET"}
    env.update(XDG_CONFIG_HOME=root + "/config", XDG_DATA_HOME=root + "/data", XDG_CACHE_HOME=root + "/cache",
               HERD_MODEL="byte-histogram-64", HERD_LOG_LEVEL=log_level)
    return env


def status(herd, env):
    """`herd status --json`, parsed ({} when it fails)."""
    out = subprocess.run([herd, "status", "--json"], env=env, capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def cpu_model():
    return next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")


def finish(daemon, root, keep):
    """Stops the daemon (SIGTERM, then SIGKILL after 120 s) and removes `root` unless kept."""
    if daemon and daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(120)
        except subprocess.TimeoutExpired:
            daemon.kill()
    if keep:
        print(f"kept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10000)
    parser.add_argument("--folders", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--herd", default=".build/debug/herd")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    herd = os.path.abspath(args.herd)
    root = tempfile.mkdtemp(prefix="herd-idle-")
    env = environment(root, "warning")
    library, output = root + "/Pictures", root + "/herds"
    catalog = root + "/data/herd/catalog.sqlite"
    daemon = None
    try:
        started = time.time()
        generate(library, args.photos, args.folders)
        print(f"generated {args.photos} photos in {args.folders} folders ({time.time() - started:.0f} s)", flush=True)
        subprocess.run([herd, "init", library, "--output", output, "--model", "byte-histogram-64"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        log = open(root + "/daemon.log", "w")
        started = time.time()
        daemon = subprocess.Popen([herd, "run"], env=env, stdout=subprocess.DEVNULL, stderr=log)

        # Quiet: everything embedded, clustered, and the phase back to watching with no retrain running.
        while True:
            time.sleep(5)
            if daemon.poll() is not None:
                sys.exit(f"herd run exited with {daemon.returncode}; see {root}/daemon.log")
            s = status(herd, env)
            counts = s.get("counts", {})
            phase = (s.get("daemon") or {}).get("phase", "")
            if counts.get("pending") == 0 and counts.get("embedded", 0) > 0 and phase == "watching" and s.get("clusters"):
                break
        print(f"ingested and clustered in {time.time() - started:.0f} s: {counts}", flush=True)
        # Work that goes on while the phase says "watching" (duplicate signatures and thumbnails for photos the test
        # encoder did not decode, neighbour checks, the index save) is finished when 30 s pass with under 0.1 s of CPU.
        pid = daemon.pid
        window = [cpu_seconds(pid)]
        while True:
            time.sleep(10)
            window = (window + [cpu_seconds(pid)])[-4:]
            if len(window) == 4 and window[-1] - window[0] < 0.1:
                break
        print(f"quiet {time.time() - started:.0f} s after start", flush=True)
        cpu0, wal0, db0 = cpu_seconds(pid), size(catalog + "-wal"), size(catalog)
        walPeak = wal0
        t0 = time.time()
        while time.time() - t0 < args.minutes * 60:
            time.sleep(1)
            walPeak = max(walPeak, size(catalog + "-wal"))
        seconds = time.time() - t0
        cpu1, wal1, db1 = cpu_seconds(pid), size(catalog + "-wal"), size(catalog)
        rss, hwm = rss_kib(pid)
        print(f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; herd binary {args.herd}")
        print(f"idle for {seconds:.0f} s with {args.photos} photos: CPU time {cpu1 - cpu0:.2f} s "
              f"({100 * (cpu1 - cpu0) / seconds:.3f} % of a core)")
        print(f"catalogue {db0} -> {db1} bytes; WAL {wal0} -> {wal1} bytes (peak {walPeak})")
        print(f"RSS {rss / 1024:.1f} MiB (peak {hwm / 1024:.1f} MiB)")
    finally:
        finish(daemon, root, args.keep)

if __name__ == "__main__":
    main()
