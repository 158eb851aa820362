"""Reference reader and writer for MetaLearn's HDF5 files, written from
docs/hdf5-format.md only (no Swift), used by the interop checks.

Readers validate the documented schema and return plain Python values;
writers produce files exactly as the document describes.
"""
import h5py
import numpy as np

FORMATS = {
    "dataset": "metalearn.dataset",
    "episodes": "metalearn.episodes",
    "checkpoint": "metalearn.checkpoint",
}
SUPPORTED_VERSION = 1


class SchemaError(Exception):
    pass


def fingerprint(channels, height, width, labels, class_names, pixels):
    """The dataset fingerprint of docs/hdf5-format.md: FNV-1a 64 over the
    shape, labels, class names and pixels, as 16 lowercase hex digits."""
    h = 0xCBF29CE484222325
    prime = 0x100000001B3
    mask = 0xFFFFFFFFFFFFFFFF

    def mix_bytes(data):
        nonlocal h
        for b in data:
            h = ((h ^ b) * prime) & mask

    def mix_int(v):
        mix_bytes(int(v).to_bytes(8, "little", signed=True))

    for v in (channels, height, width, len(labels)):
        mix_int(v)
    for label in labels:
        mix_int(label)
    for name in class_names:
        mix_bytes(name.encode("utf-8"))
        mix_bytes(b"\0")
    mix_bytes(bytes(pixels))
    return format(h, "016x")


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape in ((), (1,)):
        return _text(value.reshape(-1)[0])
    if isinstance(value, str):
        return value
    raise SchemaError(f"expected a string, found {value!r}")


def _check_format(f, kind):
    if "format" not in f.attrs:
        raise SchemaError(f"{f.filename}: no 'format' attribute on /")
    fmt = _text(f.attrs["format"])
    if fmt != FORMATS[kind]:
        raise SchemaError(f"{f.filename}: expected format {FORMATS[kind]}, found {fmt}")
    version = int(f.attrs["formatVersion"])
    if version > SUPPORTED_VERSION:
        raise SchemaError(f"{f.filename}: formatVersion {version} is newer than {SUPPORTED_VERSION}")


def _dataset(f, path, dtype, ndims):
    if path not in f or not isinstance(f[path], h5py.Dataset):
        raise SchemaError(f"{f.file.filename}: missing dataset {path}")
    d = f[path]
    if dtype is not None and d.dtype != np.dtype(dtype):
        raise SchemaError(f"{f.file.filename}: {path} has dtype {d.dtype}, expected {dtype}")
    if d.ndim not in ndims:
        raise SchemaError(f"{f.file.filename}: {path} has shape {d.shape}, expected {ndims}-D")
    return d


def _strings(d):
    if d.dtype.kind not in ("O", "S"):
        raise SchemaError(f"{d.file.filename}: {d.name} is {d.dtype}, expected strings")
    return [_text(s) for s in d[()]]


def read_dataset(path):
    with h5py.File(path, "r") as f:
        _check_format(f, "dataset")
        images = _dataset(f, "images", "uint8", (3, 4))
        n = images.shape[0]
        channels = images.shape[1] if images.ndim == 4 else 1
        labels = _dataset(f, "labels", "int32", (1,))
        if labels.shape != (n,):
            raise SchemaError(f"labels shape {labels.shape}, expected ({n},)")
        class_names = _strings(_dataset(f, "class_names", None, (1,)))
        if "splits" not in f:
            raise SchemaError("missing group /splits")
        splits = {name: [int(c) for c in _dataset(f, "splits/" + name, "int32", (1,))[()]] for name in f["splits"]}
        provenance = {k: _text(v) for k, v in f["provenance"].attrs.items()} if "provenance" in f else {}
        pixels = images[()]
        result = {
            "name": _text(f.attrs["name"]),
            "channels": channels,
            "height": images.shape[-2],
            "width": images.shape[-1],
            "shape": list(images.shape),
            "labels": [int(x) for x in labels[()]],
            "class_names": class_names,
            "splits": splits,
            "provenance": provenance,
            "pixels": pixels.reshape(-1).tolist(),
            "fingerprint": _text(f.attrs["fingerprint"]) if "fingerprint" in f.attrs else None,
            "chunks": images.chunks,
            "compression": images.compression,
        }
    computed = fingerprint(result["channels"], result["height"], result["width"], result["labels"],
                           result["class_names"], result["pixels"])
    if result["fingerprint"] is not None and result["fingerprint"] != computed:
        raise SchemaError(f"{path}: stored fingerprint {result['fingerprint']} != computed {computed}")
    result["computed_fingerprint"] = computed
    return result


def read_episodes(path):
    with h5py.File(path, "r") as f:
        _check_format(f, "episodes")
        count = int(f.attrs["episodeCount"])

        def part(values, offsets):
            v = _dataset(f, values, "int32", (1,))[()]
            o = _dataset(f, offsets, "int64", (1,))[()]
            if o.shape != (count + 1,) or o[0] != 0 or o[-1] != len(v) or np.any(np.diff(o) < 0):
                raise SchemaError(f"{path}: bad offsets {offsets}")
            return v, o

        classes, co = part("classes", "class_offsets")
        si, so = part("support_indices", "support_offsets")
        sl, _ = part("support_labels", "support_offsets")
        qi, qo = part("query_indices", "query_offsets")
        ql, _ = part("query_labels", "query_offsets")
        episodes = []
        for e in range(count):
            episodes.append({
                "classes": classes[co[e]:co[e + 1]].tolist(),
                "support_indices": si[so[e]:so[e + 1]].tolist(),
                "support_labels": sl[so[e]:so[e + 1]].tolist(),
                "query_indices": qi[qo[e]:qo[e + 1]].tolist(),
                "query_labels": ql[qo[e]:qo[e + 1]].tolist(),
            })
        return {
            "datasetFingerprint": _text(f.attrs["datasetFingerprint"]),
            "datasetName": _text(f.attrs["datasetName"]),
            "split": _text(f.attrs["split"]),
            "ways": int(f.attrs["ways"]),
            "shots": int(f.attrs["shots"]),
            "queries": int(f.attrs["queries"]),
            "seed": int(f.attrs["seed"]),
            "episodes": episodes,
        }


def read_checkpoint(path):
    with h5py.File(path, "r") as f:
        _check_format(f, "checkpoint")

        def arrays(group, holder):
            out = []
            for name in holder.attrs["names"]:
                name = _text(name)
                d = _dataset(group, name, "float32", tuple(range(33)))
                out.append({"name": name, "shape": list(d.shape), "values": np.asarray(d[()]).reshape(-1).tolist()})
            return out

        params = arrays(f["parameters"], f["parameters"])
        opt = f["optimizer"]
        state = arrays(opt["state"], opt)
        scalars = {k: float(v) for k, v in opt["scalars"].attrs.items()} if "scalars" in opt else {}
        rng = _dataset(f, "rng_state", "uint64", (1,))[()]
        metrics = f["metrics"]
        steps = _dataset(metrics, "steps", "int64", (1,))[()]
        columns = {}
        for name in metrics.attrs["names"]:
            name = _text(name)
            d = _dataset(metrics["columns"], name, "float64", (1,))
            if d.shape != steps.shape:
                raise SchemaError(f"metric {name} has shape {d.shape}, steps {steps.shape}")
            columns[name] = d[()].tolist()
        return {
            "step": int(f.attrs["step"]),
            "softwareVersion": _text(f.attrs["softwareVersion"]),
            "config": _text(f.attrs["config"]),
            "optimizer": _text(opt.attrs["name"]),
            "optimizer_scalars": scalars,
            "parameters": params,
            "optimizer_state": state,
            "rng_state": [int(x) for x in rng],
            "metrics": {"steps": steps.tolist(), "columns": columns},
        }


def write_dataset(path, name, images, labels, class_names, splits, provenance, *, fixed_length_names=False,
                  store_fingerprint=True):
    """Writes a metalearn.dataset file; `images` is uint8 (N, H, W) or (N, C, H, W)."""
    images = np.ascontiguousarray(images, dtype=np.uint8)
    labels = np.asarray(labels, dtype=np.int32)
    with h5py.File(path, "w") as f:
        chunk = (max(1, min(len(images), 256)),) + images.shape[1:]
        f.create_dataset("images", data=images, chunks=chunk if len(images) else None,
                         compression="gzip" if len(images) else None, compression_opts=4 if len(images) else None)
        f.create_dataset("labels", data=labels)
        if fixed_length_names:
            f.create_dataset("class_names", data=np.array([n.encode("utf-8") for n in class_names], dtype="S"))
        else:
            f.create_dataset("class_names", data=class_names, dtype=h5py.string_dtype())
        g = f.create_group("splits")
        for split, classes in splits.items():
            g.create_dataset(split, data=np.asarray(sorted(classes), dtype=np.int32))
        p = f.create_group("provenance")
        for k, v in provenance.items():
            p.attrs[k] = v
        f.attrs["name"] = name
        if store_fingerprint:
            channels = images.shape[1] if images.ndim == 4 else 1
            f.attrs["fingerprint"] = fingerprint(channels, images.shape[-2], images.shape[-1], labels.tolist(),
                                                 class_names, images.reshape(-1).tobytes())
        f.attrs["format"] = FORMATS["dataset"]
        f.attrs["formatVersion"] = 1


def write_episodes(path, dataset_fingerprint, dataset_name, split, ways, shots, queries, seed, episodes):
    """Writes a metalearn.episodes file; each episode is a dict with classes,
    support_indices, support_labels, query_indices, query_labels."""
    def flat(key):
        values = [v for e in episodes for v in e[key]]
        offsets = np.cumsum([0] + [len(e[key]) for e in episodes]).astype(np.int64)
        return np.asarray(values, dtype=np.int32), offsets

    with h5py.File(path, "w") as f:
        for values_name, offsets_name, key in [("classes", "class_offsets", "classes"),
                                               ("support_indices", "support_offsets", "support_indices"),
                                               ("query_indices", "query_offsets", "query_indices")]:
            values, offsets = flat(key)
            f.create_dataset(values_name, data=values)
            f.create_dataset(offsets_name, data=offsets)
        f.create_dataset("support_labels", data=flat("support_labels")[0])
        f.create_dataset("query_labels", data=flat("query_labels")[0])
        f.attrs["datasetFingerprint"] = dataset_fingerprint
        f.attrs["datasetName"] = dataset_name
        f.attrs["split"] = split
        f.attrs["ways"] = ways
        f.attrs["shots"] = shots
        f.attrs["queries"] = queries
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["episodeCount"] = len(episodes)
        f.attrs["format"] = FORMATS["episodes"]
        f.attrs["formatVersion"] = 1
