"""Writes the .npy fixtures of the CLI tests with numpy itself (np.save and np.lib.format.write_array), so the tool's
reader is proven on numpy's own output. Run with a python3 that has numpy (Debian: python3-numpy):
    /usr/bin/python3 make-fixtures.py
adam-expected.npy is FedAdam (Reddi et al. 2021, Algorithm 2, v0 = tau^2, no bias correction, defaults eta = 0.1,
beta1 = 0.9, beta2 = 0.99, tau = 1e-3) over global.npy and delta1.npy, delta2.npy, in float64, each formula in the
order docs/server-optimizers.md gives: numpy's float64 arithmetic is IEEE elementwise, so the tool must match it bit
for bit."""
import numpy as np

np.save("global.npy", np.array([0.5, -1.25, 3.0, 1e-3, 0.0, -7.5], dtype="<f8"))
np.save("delta1.npy", np.array([0.02, -0.01, 0.0, 0.3, -0.25, 1e-4], dtype="<f4"))
np.save("delta2.npy", np.array([0.01, 0.01, -0.02, -0.1, 0.5, 2e-4], dtype="<f8"))
np.save("matrix-f4.npy", np.arange(6, dtype="<f4").reshape(2, 3) / 4)
np.save("scalar-f8.npy", np.float64(2.5))
with open("v2-f8.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([1.5, -2.0], dtype="<f8"), version=(2, 0))
with open("v3-f4.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([1.5, -2.0], dtype="<f4"), version=(3, 0))
np.save("fortran-f8.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
np.save("big-endian-f8.npy", np.array([1.0, 2.0], dtype=">f8"))
np.save("int32.npy", np.array([1, 2], dtype="<i4"))
np.save("nan-f8.npy", np.array([1.0, 2.0, np.nan], dtype="<f8"))
np.save("inf-f4.npy", np.array([np.inf, 1.0], dtype="<f4"))
np.save("empty-f8.npy", np.zeros(0, dtype="<f8"))

x = np.load("global.npy").astype(np.float64)
m = np.zeros_like(x)
v = np.full_like(x, 1e-3 * 1e-3)
for name in ["delta1.npy", "delta2.npy"]:
    d = np.load(name).astype(np.float64)
    m = 0.9 * m + (1 - 0.9) * d
    v = 0.99 * v + (1 - 0.99) * (d * d)
    x = x + 0.1 * (m / (np.sqrt(v) + 1e-3))
np.save("adam-expected.npy", x)
