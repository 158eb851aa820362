#!/usr/bin/env python3
"""Writes a small Omniglot in torchmeta's HDF5 layout, the way
torchmeta/datasets/omniglot.py's download() writes it, for MetaLearn's
TorchmetaOmniglotReader to read.

    python3 Tests/interop/torchmeta_fixture.py [DIR]

Layout: DIR/omniglot/data.hdf5 with groups images_background and
images_evaluation, one uint8 dataset of shape (20, 105, 105) per
<alphabet>/<character>; beside it {train,test}_labels.json and
vinyals_{train,val,test}_labels.json, each a JSON list of sorted
[group, alphabet, character] triples. DIR/torchmeta_expected.json records
what a reader must find (class order, per-class pixel sums, SHA-256).

Without DIR (as scripts/interop-check.sh runs it), it writes to a temporary
folder and reads the result back the way torchmeta does (h5py lookups of
'/'.join(triple) for every labels entry). Exits non-zero on failure.
"""
import hashlib
import json
import os
import sys
import tempfile

import h5py
import numpy as np

CHARACTERS = {
    "images_background": {"Alpha": ["character01", "character02"], "Beta_(script)": ["character01"]},
    "images_evaluation": {"Gamma": ["character01", "character02", "character03"]},
}
VINYALS = {"train": ["Alpha"], "val": ["Beta_(script)"], "test": ["Gamma"]}


def image(c, k):
    i, j = np.meshgrid(np.arange(105), np.arange(105), indexing="ij")
    return ((i * 3 + j * 5 + k * 7 + c * 11) % 256).astype(np.uint8)


def write(root):
    folder = os.path.join(root, "omniglot")
    os.makedirs(folder, exist_ok=True)
    triples = []
    sums = {}
    with h5py.File(os.path.join(folder, "data.hdf5"), "w") as f:
        c = 0
        for name, alphabets in CHARACTERS.items():
            group = f.create_group(name)
            characters = [(name, a, ch) for a in alphabets for ch in alphabets[a]]
            split = "train" if name == "images_background" else "test"
            with open(os.path.join(folder, f"{split}_labels.json"), "w") as fl:
                json.dump(sorted(characters), fl)
            for _, alphabet, character in characters:
                dataset = group.create_dataset(f"{alphabet}/{character}", (20, 105, 105), dtype="uint8")
                for k in range(20):
                    dataset[k] = image(c, k)
                sums[f"{alphabet}/{character}"] = int(sum(int(image(c, k).sum()) for k in range(20)))
                triples.append([name, alphabet, character])
                c += 1
    for split, alphabets in VINYALS.items():
        labels = sorted([g, a, ch] for g, a, ch in triples if a in alphabets)
        with open(os.path.join(folder, f"vinyals_{split}_labels.json"), "w") as fl:
            json.dump(labels, fl)
    with open(os.path.join(folder, "data.hdf5"), "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    order = sorted(triples)
    expected = {
        "hdf5": os.path.join(folder, "data.hdf5"),
        "labels_directory": folder,
        "class_names": [f"{a}/{ch}" for _, a, ch in order],
        "pixel_sums": [sums[f"{a}/{ch}"] for _, a, ch in order],
        "first_pixels": image(0, 0)[0, :8].tolist(),
        "sha256": sha,
        "splits": {
            "background": [f"{a}/{ch}" for g, a, ch in order if g == "images_background"],
            "evaluation": [f"{a}/{ch}" for g, a, ch in order if g == "images_evaluation"],
            **{s: [f"{a}/{ch}" for _, a, ch in order if a in al] for s, al in VINYALS.items()},
            "torchmeta_train": [f"{a}/{ch}" for g, a, ch in order if g == "images_background"],
            "torchmeta_test": [f"{a}/{ch}" for g, a, ch in order if g == "images_evaluation"],
        },
    }
    with open(os.path.join(root, "torchmeta_expected.json"), "w") as fl:
        json.dump(expected, fl)
    return expected


def self_check(expected):
    failures = []
    folder = expected["labels_directory"]
    with h5py.File(expected["hdf5"], "r") as data:
        for labels_file in sorted(os.listdir(folder)):
            if not labels_file.endswith("_labels.json"):
                continue
            with open(os.path.join(folder, labels_file)) as fl:
                for triple in json.load(fl):
                    d = data["/".join(triple)]
                    if d.shape != (20, 105, 105) or d.dtype != np.uint8:
                        failures.append(f"{triple}: shape {d.shape} dtype {d.dtype}")
    return failures


def main():
    if len(sys.argv) > 1:
        write(sys.argv[1])
        return 0
    with tempfile.TemporaryDirectory() as root:
        failures = self_check(write(root))
    for message in failures:
        print("interop FAIL:", message, file=sys.stderr)
    if not failures:
        print("interop: torchmeta-layout fixture reads the way torchmeta reads it")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
