#!/usr/bin/env bash
# `make demo`: a real, short comparison with the release build.
#
# With the Omniglot archives (../shared/data/omniglot, or the folder named by
# METALEARN_OMNIGLOT_DIR): import them once into .demo/omniglot.h5, build the
# 5-way 1-shot test episode cache (100 episodes), and compare MAML, first-order
# MAML, Reptile and Prototypical Networks on it with 2 seeds (a few minutes on 2
# cores; METALEARN_DEMO_STEPS sets the training steps, 60 by default). Without them: the
# same comparison on the sinusoid regression task (MAML, FOMAML, Reptile).
#
# Everything lands in .demo/ (git-ignored). Rerunning skips finished work, and
# an interrupted run (Ctrl-C) resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.build/release/metalearn
WORK=.demo
if [ ! -x "$BIN" ]; then
    echo "demo: $BIN not found; build it first with: swift build -c release" >&2
    exit 1
fi
mkdir -p "$WORK"

OMNIGLOT="${METALEARN_OMNIGLOT_DIR:-../shared/data/omniglot}"
have_omniglot() {
    [ -f "$1/images_background.zip" ] || [ -d "$1/images_background" ]
}

if have_omniglot "$OMNIGLOT"; then
    echo "demo: Omniglot found in $OMNIGLOT: 5-way 1-shot comparison of maml, fomaml, reptile, protonet"
    if [ ! -f "$WORK/omniglot.h5" ]; then
        "$BIN" import omniglot --source "$OMNIGLOT" --output "$WORK/omniglot.h5"
    else
        echo "demo: using the existing $WORK/omniglot.h5"
    fi
    if [ ! -f "$WORK/omniglot-test-5w1s.h5" ]; then
        "$BIN" episodes --dataset "$WORK/omniglot.h5" --split test --ways 5 --shots 1 --queries 15 \
            --count 100 --seed 1 --output "$WORK/omniglot-test-5w1s.h5"
    fi
    OUT="$WORK/omniglot-5w1s"
    # Reptile as in its paper: outer SGD with step 1; fewer adaptation steps at test time keep the demo short.
    "$BIN" compare --algorithms maml,fomaml,reptile,protonet \
        --dataset "$WORK/omniglot.h5" --episodes "$WORK/omniglot-test-5w1s.h5" \
        --ways 5 --shots 1 --queries 15 --seeds 2 \
        --steps "${METALEARN_DEMO_STEPS:-60}" --meta-batch 4 --checkpoint-every 20 \
        --meta-optimizer-for reptile=sgd --meta-lr-for reptile=1 -o reptile.eval-inner-steps=10 \
        --output "$OUT"
else
    echo "demo: Omniglot not found in $OMNIGLOT (set METALEARN_OMNIGLOT_DIR to the folder holding"
    echo "      images_background.zip and images_evaluation.zip): sinusoid regression comparison instead"
    OUT="$WORK/sinusoid"
    # The MAML paper's sinusoid setting: inner step 0.01; Reptile with outer SGD.
    "$BIN" compare --algorithms maml,fomaml,reptile \
        --dataset sinusoid --shots 10 --queries 10 --seeds 3 \
        --steps "${METALEARN_DEMO_STEPS:-2000}" --meta-batch 8 --checkpoint-every 500 \
        -o maml.inner-lr=0.01 -o fomaml.inner-lr=0.01 --meta-optimizer-for reptile=sgd --meta-lr-for reptile=0.1 \
        --eval-count 200 --output "$OUT"
fi
echo "demo: results in $OUT (results.md, results.csv, results.json, *.svg)"
