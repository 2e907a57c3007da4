#!/usr/bin/env python3
"""Compares two builds of herd on the encoder and the retrain, pass by pass, so both see the same load.

  python3 scripts/bench_builds.py --before DIR_A --after DIR_B [--rounds 5] [--threads 2]

DIR_A and DIR_B are release build folders (each with `herd` and `herd-bench`). Each round runs every
benchmark once per build, the order alternating between rounds; the figure is the median of the
per-round ratios after/before (rates: above 1 is faster; times: below 1 is faster)."""
import argparse, json, os, re, statistics, subprocess, tempfile

parser = argparse.ArgumentParser()
parser.add_argument('--before', required=True)
parser.add_argument('--after', required=True)
parser.add_argument('--rounds', type=int, default=5)
parser.add_argument('--threads', type=int, default=2)
args = parser.parse_args()
builds = {'before': args.before, 'after': args.after}
threads = str(args.threads)
# A model store of its own, so no installed model or cached precision choice is touched.
os.environ['HOME'] = tempfile.mkdtemp(prefix='herd-bench-builds-')
rounds = args.rounds
def enc(v, prec, batch):
    out = subprocess.run([os.path.join(builds[v], 'herd'), 'bench', 'encoder', '--random', 'dino-vits16', '--precision', prec, '--batch', str(batch),
                          '--threads', threads, '--seconds', '4', '--json'], capture_output=True, text=True).stdout
    return json.loads(out)['images_per_second']
def knn(v):
    out = subprocess.run([os.path.join(builds[v], 'herd-bench'), 'knn', '--n', '20000', '--threads', threads], capture_output=True, text=True).stdout
    return float(re.search(r'([\d.]+) s \(', out).group(1))
def cost(v):
    out = subprocess.run([os.path.join(builds[v], 'herd-bench'), 'count-cost', '--n', '4000', '--clusters', '20', '--threads', threads], capture_output=True, text=True).stdout
    m = re.search(r'cold retrain ([\d.]+) s, warm retrain ([\d.]+) s', out)
    e = re.search(r'counts tried, ([\d.]+) s', out)
    return float(m.group(1)), float(m.group(2)), float(e.group(1))
def head(v):
    # The TSP head's training steps: small products split by rows over the pool, thousands of parallel loops.
    out = subprocess.run([os.path.join(builds[v], 'herd-bench'), 'head', '--n', '8000', '--d', '384', '--clusters', '20', '--epochs', '30',
                          '--threads', threads], capture_output=True, text=True).stdout
    return float(re.search(r'\(([\d.]+) ms/step\)', out).group(1))
specs = {'encoder fp32 batch 8 (img/s)': lambda v: enc(v, 'fp32', 8), 'encoder fp32 batch 1 (img/s)': lambda v: enc(v, 'fp32', 1),
         'encoder bf16 batch 8 (img/s)': lambda v: enc(v, 'bf16', 8), 'exact kNN 20000x384 (s)': knn,
         'TSP head training 8000x384, 20 clusters (ms/step)': head}
res = {k: [] for k in specs}; res.update({'cold retrain 4000x384 (s)': [], 'warm retrain (s)': [], 'count estimate (s)': []})
for r in range(rounds):
    order = ['before', 'after'] if r % 2 == 0 else ['after', 'before']
    for name, f in specs.items():
        got = {v: f(v) for v in order}
        res[name].append((got['before'], got['after']))
        print(r, name, got, flush=True)
    got = {v: cost(v) for v in order}
    for i, name in enumerate(['cold retrain 4000x384 (s)', 'warm retrain (s)', 'count estimate (s)']):
        res[name].append((got['before'][i], got['after'][i]))
    print(r, 'count-cost', got, flush=True)
print('\nmedian ratio after/before (rates: >1 faster; times: <1 faster), per-pair ratios')
for name, pairs in res.items():
    ratios = [a / b for b, a in pairs]
    print(f'{name}: median before {statistics.median(b for b, _ in pairs):.2f}, after {statistics.median(a for _, a in pairs):.2f}, '
          f'ratio {statistics.median(ratios):.3f} (pairs {", ".join(f"{x:.2f}" for x in ratios)})')
print('load', open('/proc/loadavg').read().strip())
