#!/usr/bin/env python3
"""Writes MetaLearn files with h5py, following docs/hdf5-format.md only, for
MetaLearn (Swift) to read.

    python3 Tests/interop/write_h5py_files.py [DIR]

Writes into DIR: h5py_dataset.h5 (N x H x W images, variable-length class
names, stored fingerprint), h5py_dataset_rgb.h5 (N x C x H x W, fixed-length
class names, no fingerprint), h5py_episodes.h5 (for h5py_dataset.h5), and
h5py_expected.json with their full content. The Swift test
HDF5Tests/InteropTests runs it and compares what MetaLearn reads.

Without DIR (as scripts/interop-check.sh runs it), it writes to a temporary
folder and reads the files back with the reference reader, checking that
writer, reader and the documented fingerprint agree. Exits non-zero on failure.
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
import metalearn_h5 as ml  # noqa: E402


def make_dataset(rng, n_classes, per_class, shape):
    n = n_classes * per_class
    images = (rng.integers(0, 256, size=(n,) + shape) * (rng.random((n,) + shape) < 0.3)).astype(np.uint8)
    labels = np.repeat(np.arange(n_classes, dtype=np.int32), per_class)
    class_names = [f"Script{c // 2}/glyph{c % 2:02d}" for c in range(n_classes)]
    class_names[0] = "Ünïcödé/字"
    return images, labels, class_names


def write_all(directory):
    rng = np.random.default_rng(7)
    expected = {"datasets": [], "episodes": [], "checkpoints": []}

    images, labels, names = make_dataset(rng, 5, 4, (6, 9))
    splits = {"train": [0, 1, 2], "test": [3, 4]}
    provenance = {"source": "h5py interop writer", "sourceSHA256": "0" * 64, "preprocessing": "random"}
    path = os.path.join(directory, "h5py_dataset.h5")
    ml.write_dataset(path, "h5py-gray", images, labels, names, splits, provenance)
    fp = ml.fingerprint(1, 6, 9, labels.tolist(), names, images.reshape(-1).tobytes())
    expected["datasets"].append({"file": "h5py_dataset.h5", "name": "h5py-gray", "channels": 1, "height": 6,
                                 "width": 9, "pixels": images.reshape(-1).tolist(), "labels": labels.tolist(),
                                 "class_names": names, "splits": splits, "provenance": provenance, "fingerprint": fp})

    rgb, rgb_labels, rgb_names = make_dataset(rng, 3, 2, (3, 4, 5))
    rgb_names = [n.encode("ascii", "replace").decode() for n in rgb_names]
    path = os.path.join(directory, "h5py_dataset_rgb.h5")
    ml.write_dataset(path, "h5py-rgb", rgb, rgb_labels, rgb_names, {}, {}, fixed_length_names=True,
                     store_fingerprint=False)
    expected["datasets"].append({"file": "h5py_dataset_rgb.h5", "name": "h5py-rgb", "channels": 3, "height": 4,
                                 "width": 5, "pixels": rgb.reshape(-1).tolist(), "labels": rgb_labels.tolist(),
                                 "class_names": rgb_names, "splits": {}, "provenance": {},
                                 "fingerprint": ml.fingerprint(3, 4, 5, rgb_labels.tolist(), rgb_names,
                                                               rgb.reshape(-1).tobytes())})

    episodes = []
    for e in range(6):
        classes = [int(c) for c in rng.choice(5, size=2, replace=False)]
        support = [int(c) * 4 + 0 for c in classes]
        queries = [int(c) * 4 + 1 + q for c in classes for q in range(1 + e % 3)]
        episodes.append({"classes": classes, "support_indices": support, "support_labels": [0, 1],
                         "query_indices": queries,
                         "query_labels": [k for k in range(2) for _ in range(1 + e % 3)]})
    seed = 2**64 - 3
    ml.write_episodes(os.path.join(directory, "h5py_episodes.h5"), fp, "h5py-gray", "test", 2, 1, 3, seed, episodes)
    expected["episodes"].append({"file": "h5py_episodes.h5", "datasetFingerprint": fp, "datasetName": "h5py-gray",
                                 "split": "test", "ways": 2, "shots": 1, "queries": 3, "seed": seed,
                                 "episodes": episodes})
    with open(os.path.join(directory, "h5py_expected.json"), "w") as f:
        json.dump(expected, f)
    return expected


def self_check(directory, expected):
    failures = []
    for d in expected["datasets"]:
        got = ml.read_dataset(os.path.join(directory, d["file"]))
        for key in ["name", "channels", "height", "width", "pixels", "labels", "class_names", "splits", "provenance"]:
            if got[key] != d[key]:
                failures.append(f"{d['file']}: {key} differs")
        if got["computed_fingerprint"] != d["fingerprint"]:
            failures.append(f"{d['file']}: fingerprint differs")
    for e in expected["episodes"]:
        got = ml.read_episodes(os.path.join(directory, e["file"]))
        for key in ["datasetFingerprint", "split", "ways", "shots", "queries", "seed", "episodes"]:
            if got[key] != e[key]:
                failures.append(f"{e['file']}: {key} differs")
    return failures


def main():
    if len(sys.argv) > 1:
        os.makedirs(sys.argv[1], exist_ok=True)
        write_all(sys.argv[1])
        return 0
    with tempfile.TemporaryDirectory() as directory:
        failures = self_check(directory, write_all(directory))
    for message in failures:
        print("interop FAIL:", message, file=sys.stderr)
    if not failures:
        print("interop: h5py-written files follow the documented schema")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
