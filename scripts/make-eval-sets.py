#!/usr/bin/env python3
"""Writes small labelled feature sets that ship inside scikit-learn (no download) as .npy pairs,
for `herd eval` and `herd-bench sweep` beyond COIL-20.

Run: pip install scikit-learn && python3 scripts/make-eval-sets.py OUTDIR
Writes OUTDIR/digits-{X,y}.npy (1797 × 64 pixel features, 10 classes).
"""
import pathlib
import sys

import numpy as np
from sklearn.datasets import load_digits

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out/eval-sets")
out.mkdir(parents=True, exist_ok=True)
digits = load_digits()
np.save(out / "digits-X.npy", digits.data.astype(np.float32))
np.save(out / "digits-y.npy", digits.target.astype(np.int64))
print(f"wrote {out}/digits-X.npy {digits.data.shape}, {out}/digits-y.npy")
