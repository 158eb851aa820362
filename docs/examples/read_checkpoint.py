#!/usr/bin/env python3
"""Open a MetaLearn checkpoint with h5py and print what it holds.

    python3 docs/examples/read_checkpoint.py runs/maml/checkpoint.h5

Needs only h5py and numpy (pip install h5py). The layout is documented in
docs/hdf5-format.md.
"""
import json
import sys

import h5py
import numpy as np


def text(value):
    """h5py returns variable-length string attributes as str (older versions: bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def main(path):
    with h5py.File(path, "r") as f:
        if text(f.attrs.get("format", "")) != "metalearn.checkpoint":
            sys.exit(f"{path}: not a MetaLearn checkpoint")
        print(f"{path}: formatVersion {int(f.attrs['formatVersion'])}, step {int(f.attrs['step'])}, "
              f"written by MetaLearn {text(f.attrs['softwareVersion'])}")

        config = json.loads(text(f.attrs["config"]))
        print("configuration:", json.dumps(config, sort_keys=True))

        # Parameters: one float32 dataset per name, in the order of the `names` attribute.
        parameters = f["parameters"]
        print("parameters:")
        total = 0
        for name in parameters.attrs["names"]:
            name = text(name)
            values = parameters[name][()]          # a numpy array with the parameter's shape
            total += values.size
            print(f"  {name:30s} {str(values.shape):18s} {values.dtype}  "
                  f"mean {values.mean():+.4f}  std {values.std():.4f}")
        print(f"  ({total} values)")

        optimizer = f["optimizer"]
        state = [text(n) for n in optimizer.attrs["names"]]
        scalars = {k: float(v) for k, v in optimizer["scalars"].attrs.items()}
        print(f"optimizer: {text(optimizer.attrs['name'])}, state arrays {state}, scalars {scalars}")

        print("rng state:", [int(x) for x in f["rng_state"][()]])

        steps = f["metrics/steps"][()]
        if len(steps):
            last = {text(n): float(f["metrics/columns"][text(n)][-1]) for n in f["metrics"].attrs["names"]}
            print(f"metrics: {len(steps)} rows, last at step {int(steps[-1])}: {last}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_checkpoint.py CHECKPOINT.h5")
    np.set_printoptions(precision=4)
    main(sys.argv[1])
