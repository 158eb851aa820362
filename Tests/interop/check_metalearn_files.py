#!/usr/bin/env python3
"""Checks that files written by MetaLearn (Swift) read in h5py with the
shapes and values docs/hdf5-format.md documents.

    python3 Tests/interop/check_metalearn_files.py [DIR]

DIR holds the files and `expected.json` (what Swift wrote), produced by the
Swift test HDF5Tests/InteropTests. Without DIR it uses $METALEARN_INTEROP_DIR
or <tmp>/metalearn-interop, where the Swift tests leave a copy (so
`make test` runs this after them). Exits non-zero on any mismatch.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
import metalearn_h5 as ml  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def close(a, b):
    return all(abs(x - y) <= 1e-6 * max(1.0, abs(y)) for x, y in zip(a, b)) and len(a) == len(b)


def check_dataset(directory, expected):
    got = ml.read_dataset(os.path.join(directory, expected["file"]))
    where = expected["file"]
    for key in ["name", "channels", "height", "width", "labels", "class_names", "splits", "provenance", "pixels"]:
        check(got[key] == expected[key], f"{where}: {key} differs: {str(got[key])[:200]} != {str(expected[key])[:200]}")
    n = len(expected["labels"])
    shape = [n, expected["height"], expected["width"]] if expected["channels"] == 1 else \
        [n, expected["channels"], expected["height"], expected["width"]]
    check(got["shape"] == shape, f"{where}: images shape {got['shape']} != documented {shape}")
    check(got["fingerprint"] == expected["fingerprint"], f"{where}: stored fingerprint {got['fingerprint']}")
    check(got["computed_fingerprint"] == expected["fingerprint"],
          f"{where}: fingerprint computed as documented {got['computed_fingerprint']} != Swift's {expected['fingerprint']}")
    check(got["compression"] == "gzip" and got["chunks"] is not None, f"{where}: images not chunked+gzip")


def check_episodes(directory, expected):
    got = ml.read_episodes(os.path.join(directory, expected["file"]))
    for key in ["datasetFingerprint", "datasetName", "split", "ways", "shots", "queries", "seed", "episodes"]:
        check(got[key] == expected[key], f"{expected['file']}: {key} differs: {str(got[key])[:200]} != {str(expected[key])[:200]}")


def check_checkpoint(directory, expected):
    got = ml.read_checkpoint(os.path.join(directory, expected["file"]))
    where = expected["file"]
    for key in ["step", "softwareVersion", "config", "optimizer", "optimizer_scalars", "rng_state"]:
        check(got[key] == expected[key], f"{where}: {key} differs: {got[key]} != {expected[key]}")
    check(json.loads(got["config"]) == json.loads(expected["config"]), f"{where}: config JSON differs")
    for part in ["parameters", "optimizer_state"]:
        check([p["name"] for p in got[part]] == [p["name"] for p in expected[part]], f"{where}: {part} names differ")
        for g, e in zip(got[part], expected[part]):
            check(g["shape"] == e["shape"], f"{where}: {part} {e['name']} shape {g['shape']} != {e['shape']}")
            check(close(g["values"], e["values"]), f"{where}: {part} {e['name']} values differ")
    check(got["metrics"]["steps"] == expected["metrics"]["steps"], f"{where}: metric steps differ")
    for name, values in expected["metrics"]["columns"].items():
        check(close(got["metrics"]["columns"].get(name, []), values), f"{where}: metric {name} differs")


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "METALEARN_INTEROP_DIR", os.path.join(tempfile.gettempdir(), "metalearn-interop"))
    manifest = os.path.join(directory, "expected.json")
    if not os.path.exists(manifest):
        print(f"interop: {manifest} not found; run the Swift tests first (make test does)", file=sys.stderr)
        return 1
    with open(manifest) as f:
        expected = json.load(f)
    checks = {"datasets": check_dataset, "episodes": check_episodes, "checkpoints": check_checkpoint}
    count = 0
    for kind, run in checks.items():
        entries = expected.get(kind, [])
        if not entries:
            failures.append(f"expected.json lists no {kind}")
        for entry in entries:
            count += 1
            try:
                run(directory, entry)
            except Exception as error:  # a schema violation or h5py failure is a failed check
                failures.append(f"{entry['file']}: {type(error).__name__}: {error}")
    for message in failures:
        print("interop FAIL:", message, file=sys.stderr)
    if not failures:
        print(f"interop: {count} MetaLearn files read correctly in h5py {ml.h5py.__version__}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
