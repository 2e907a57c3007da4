#!/usr/bin/env python3
"""Single-thread fp32 GEMM throughput of the two engines, on the shapes of one ViT-S/16 image.

OpenBLAS (the system libopenblas.so.0, as herd calls it: row-major, weights [in, out]) against
onnxruntime's MatMul (MLAS) with one intra-op thread. Best of 40 interleaved trials each, so that
load from other processes on the machine mostly drops out. The encoder cannot run faster than
9.2 GFLOP per image divided by this figure times the cores.

    python3 scripts/gemm_ceiling.py          # needs numpy, onnx, onnxruntime
"""
import ctypes
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

blas = ctypes.CDLL("libopenblas.so.0")
blas.openblas_set_num_threads(1)
blas.openblas_get_corename.restype = ctypes.c_char_p
FLOAT_P = ctypes.POINTER(ctypes.c_float)


def openblas(x, w, c):
    m, k = x.shape
    n = w.shape[1]
    blas.cblas_sgemm(101, 111, 111, m, n, k, ctypes.c_float(1), x.ctypes.data_as(FLOAT_P), k,
                     w.ctypes.data_as(FLOAT_P), n, ctypes.c_float(0), c.ctypes.data_as(FLOAT_P), n)


def onnx_matmul(w, m):
    k, n = w.shape
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
                              [numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


print(f"OpenBLAS core {blas.openblas_get_corename().decode()}, onnxruntime {ort.__version__}")
print(f"{'M':>5} {'N':>5} {'K':>5} {'OpenBLAS GFLOPS':>16} {'MLAS GFLOPS':>12}")
for m, n, k in [(197, 1152, 384), (197, 1536, 384), (197, 384, 1536), (394, 1536, 384), (1576, 1536, 384)]:
    rng = np.random.default_rng(0)
    x = rng.random((m, k), dtype=np.float32)
    w = rng.random((k, n), dtype=np.float32)
    c = np.zeros((m, n), np.float32)
    session = onnx_matmul(w, m)
    best = [1e9, 1e9]
    for _ in range(40):
        t = time.perf_counter()
        for _ in range(3):
            openblas(x, w, c)
        best[0] = min(best[0], (time.perf_counter() - t) / 3)
        t = time.perf_counter()
        for _ in range(3):
            session.run(None, {"x": x})
        best[1] = min(best[1], (time.perf_counter() - t) / 3)
    flops = 2 * m * n * k
    print(f"{m:>5} {n:>5} {k:>5} {flops / best[0] / 1e9:>16.0f} {flops / best[1] / 1e9:>12.0f}")
