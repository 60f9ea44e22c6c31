"""Data: the notes' training set, synthetic data sets, CSV files, splitting and batching.

- `synthetic`: seeded generators (moons, circles, xor, blobs, spiral), the notes'
  five points, `train_test_split` and `batches`.
- `files`: `load_csv` and the iris data shipped with tracegrad (`iris.csv` here).
"""

from nn.data.files import iris, load_csv
from nn.data.synthetic import (
    batches,
    blobs,
    circles,
    moons,
    seed_example,
    spiral,
    train_test_split,
    xor,
)

__all__ = [
    "batches",
    "blobs",
    "circles",
    "iris",
    "load_csv",
    "moons",
    "seed_example",
    "spiral",
    "train_test_split",
    "xor",
]
