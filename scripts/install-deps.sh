#!/usr/bin/env bash
# Installs what MetaLearn's build and tests need on Debian/Ubuntu when it is
# missing: libhdf5, OpenBLAS, libpng (with pkg-config), and h5py/numpy for the
# Python interop checks. Safe to run repeatedly; does nothing when all is there.
set -euo pipefail

need_apt=()
for pc in hdf5-serial:libhdf5-dev openblas:libopenblas-dev libpng:libpng-dev; do
    mod=${pc%%:*}; pkg=${pc##*:}
    if ! pkg-config --exists "$mod" 2>/dev/null; then need_apt+=("$pkg"); fi
done
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "install-deps: installing ${need_apt[*]} (apt-get)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO="sudo -n"
        else
            echo "install-deps: need root to install ${need_apt[*]}." >&2
            echo "  Run: sudo apt-get install -y ${need_apt[*]}" >&2
            exit 1
        fi
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if command -v "$PY" >/dev/null 2>&1; then
    if ! "$PY" -c 'import h5py, numpy' >/dev/null 2>&1; then
        echo "install-deps: installing h5py (pip)"
        "$PY" -m pip install -q h5py numpy || {
            echo "install-deps: could not install h5py; interop checks need it (pip install h5py)" >&2
            exit 1
        }
    fi
else
    echo "install-deps: python3 not found; interop checks need python3 with h5py" >&2
    exit 1
fi
