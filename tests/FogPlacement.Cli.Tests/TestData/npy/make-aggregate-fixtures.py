"""Writes the .npy fixtures of the aggregate command's tests with numpy itself: five client updates (float32, 2 x 3,
so the tool flattens them) on a grid of quarters, where every rule's result is exact in float32, and numpy's own
results for the rules numpy has (median, a trimmed mean by sorting, fedavg by np.average). Run with a python3 that
has numpy (Debian: python3-numpy):
    /usr/bin/python3 make-aggregate-fixtures.py"""
import numpy as np

updates = np.array([
    [[0.25, 1.0, -2.0], [3.0, 0.5, 0.0]],
    [[0.5, 1.25, -1.75], [2.75, 0.5, 0.25]],
    [[0.25, 1.5, -2.25], [3.25, 0.75, -0.25]],
    [[100.0, -100.0, 50.0], [-80.0, 64.0, 32.0]],
    [[0.75, 1.0, -2.0], [3.0, 0.25, 0.0]],
], dtype="<f4")
for i, u in enumerate(updates):
    np.save(f"update{i + 1}.npy", u)

np.save("median-expected.npy", np.median(updates.reshape(5, -1), axis=0).astype("<f4"))
s = np.sort(updates.reshape(5, -1), axis=0)
np.save("trimmed-expected.npy", s[1:4].astype(np.float64).mean(axis=0).astype("<f4"))
w = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
np.save("fedavg-expected.npy", np.average(updates.reshape(5, -1).astype(np.float64), axis=0, weights=w).astype("<f4"))
