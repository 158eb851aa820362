#!/usr/bin/env python3
"""Write Omniglot split files that draw the test characters at random from all
50 alphabets, as Finn et al.'s MAML code does, instead of Vinyals et al.'s split
(whose test characters are, but for Gurmukhi, whole alphabets never seen in training).

Finn et al. (2017) shuffle the 1,623 characters with a fixed seed, train on the
first 1,200 (1,100 of them, 100 held out for validation) and test on the other
423, each drawn at one of the four rotations. This script keeps the Vinyals split
sizes so that `metalearn import omniglot` verifies the import as usual:
1,028 train, 172 val (trainval = 1,200 characters) and 423 test characters, each
with its four rotations as classes. The characters are shuffled with Python's
`random.Random(seed)` after sorting, so the files depend only on the seed.

    python3 scripts/omniglot_random_split.py --vinyals ../shared/data/omniglot/splits/vinyals \\
        --seed 1 --output random-split
    metalearn import omniglot --source ../shared/data/omniglot --splits random-split \\
        --output omniglot-random.h5
"""
import argparse
import os
import random
import sys

ROTATIONS = ("rot000", "rot090", "rot180", "rot270")
SIZES = (("train", 1028), ("val", 172), ("test", 423))


def characters(vinyals):
    """The 1,623 `<Alphabet>/characterNN` names of the Vinyals split files, sorted."""
    names = set()
    for split in ("train", "val", "test"):
        path = os.path.join(vinyals, split + ".txt")
        try:
            with open(path) as f:
                for number, line in enumerate(f, 1):
                    line = line.strip()
                    if not line:
                        continue
                    parts = line.split("/")
                    if len(parts) != 3 or parts[2] not in ROTATIONS:
                        sys.exit(f"{path}:{number}: expected <Alphabet>/characterNN/rotDDD, found {line!r}")
                    names.add(parts[0] + "/" + parts[1])
        except OSError as error:
            sys.exit(f"{path}: cannot read the Vinyals split file ({error.strerror})")
    expected = sum(size for _, size in SIZES)
    if len(names) != expected:
        sys.exit(f"{vinyals}: expected {expected} characters in train.txt, val.txt and test.txt, found {len(names)}")
    return sorted(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vinyals", required=True, help="folder with the Vinyals train.txt, val.txt, test.txt")
    parser.add_argument("--seed", type=int, default=1, help="shuffle seed (default 1)")
    parser.add_argument("--output", required=True, help="folder to write train.txt, val.txt, test.txt into")
    args = parser.parse_args()

    names = characters(args.vinyals)
    random.Random(args.seed).shuffle(names)
    os.makedirs(args.output, exist_ok=True)
    start = 0
    for split, size in SIZES:
        path = os.path.join(args.output, split + ".txt")
        if os.path.exists(path):
            sys.exit(f"{path} exists; choose another --output (nothing was written over)")
    for split, size in SIZES:
        with open(os.path.join(args.output, split + ".txt"), "w") as f:
            for name in names[start:start + size]:
                for rotation in ROTATIONS:
                    f.write(f"{name}/{rotation}\n")
        start += size
    test = names[-SIZES[-1][1]:]
    seen = {n.split("/")[0] for n in names[:-SIZES[-1][1]]}
    alphabets = {n.split("/")[0] for n in test}
    print(f"{args.output}: {len(names)} characters (seed {args.seed}); test: {len(test)} characters from "
          f"{len(alphabets)} alphabets, {len(alphabets - seen)} of them absent from train and val")


if __name__ == "__main__":
    main()
