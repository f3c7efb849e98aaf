#!/usr/bin/env python3
"""Writes a BF program of about a given size, and its expected output, for
measuring how compile time and memory grow with program size
(docs/compile-speed.md).

Usage: python3 gen_sized.py SIZE OUT.b [--no-check]
SIZE is bytes, with an optional k or m suffix (10k, 1m, 10m). Writes OUT.b and
OUT.out (the program's output). The output is what bf-programs/refbf.py, the
independent reference interpreter, prints for the program; --no-check writes
the output the generator intends instead, without running refbf (for quick
experiments; refbf takes about a minute on 10 MB).

The program is a fixed-seed sequence of small blocks of the kinds real
programs are made of: characters printed through multiply loops, copies
through a temporary cell, nested counting loops, runs of moves and adds,
comment text and line breaks. Every block starts and ends on cell 0 with the
cells it used cleared, so each runs a bounded number of steps (about three
per byte) and the program as a whole stays straight-line at the top level.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refbf  # noqa: E402


def char_block(rng):
    """Prints one character: a * b + r through a multiply loop."""
    a, b = rng.randint(5, 11), rng.randint(5, 11)
    ch = rng.randint(32, 126)
    r = ch - a * b
    adjust = ("+" * r) if r >= 0 else ("-" * -r)
    code = "+" * a + "[>" + "+" * b + "<-]>" + adjust + ".[-]<"
    return code, bytes([ch])


def copy_block(rng):
    """Sets cell 1, copies it to cell 2 through cell 3, prints, clears."""
    v = rng.randint(48, 90)
    code = (
        ">" + "+" * (v % 16) + "[-]" + "+" * v  # a set the passes fold
        + "[->+>+<<]>>[-<<+>>]<"  # copy cell 1 to cell 2 through cell 3
        + ".[-]<[-]<"
    )
    return code, bytes([v])


def nest_block(rng):
    """Nested counting loops that leave nothing behind."""
    a, b, c = rng.randint(2, 4), rng.randint(2, 4), rng.randint(1, 3)
    code = "+" * a + "[>" + "+" * b + "[>" + "+" * c + "<-]<-]>>[-]<<"
    return code, b""


def run_block(rng):
    """A run of moves and adds that cancels out."""
    k = rng.randint(1, 6)
    code = ">" * k + "+" * k + "-" * k + "<" * k + "><" * rng.randint(0, 2)
    return code, b""


COMMENTS = ["print", "copy", "count", "step", "next char", "block"]


def generate(size, seed=1):
    """The program text of about `size` bytes and the output it should give."""
    rng = random.Random(seed)
    kinds = [char_block, char_block, copy_block, nest_block, run_block]
    parts, out, length, line = [], bytearray(), 0, 0
    while length < size:
        code, printed = rng.choice(kinds)(rng)
        if rng.random() < 0.2:
            code += " " + rng.choice(COMMENTS) + " "
        parts.append(code)
        out += printed
        length += len(code)
        line += len(code)
        if line >= 72:
            parts.append("\n")
            length += 1
            line = 0
    return "".join(parts).encode(), bytes(out)


def parse_size(text):
    scale = {"k": 1000, "m": 1000 * 1000}.get(text[-1].lower(), 1)
    digits = text[:-1] if scale != 1 else text
    return int(float(digits) * scale)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    size, path = parse_size(sys.argv[1]), sys.argv[2]
    code, intended = generate(size)
    out = intended if "--no-check" in sys.argv else refbf.run(code, b"")
    if out != intended:
        sys.exit("refbf disagrees with the generator: a generator bug")
    with open(path, "wb") as f:
        f.write(code)
    base = path[:-2] if path.endswith(".b") else path
    with open(base + ".out", "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
