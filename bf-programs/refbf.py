#!/usr/bin/env python3
"""An independent BF interpreter, written separately from bfjit, used only to
derive the expected outputs (NAME.out) of the programs in this folder, so the
end-to-end tests compare bfjit with something that is not bfjit.

Usage: python3 refbf.py PROGRAM.b [INPUT] > PROGRAM.out
Conventions: 8-bit wrapping cells, 65,536 cells, EOF leaves the cell unchanged.
"""
import sys


def run(code: bytes, data: bytes) -> bytes:
    code = bytes(c for c in code if c in b"+-<>.,[]")
    jump, stack = {}, []
    for i, c in enumerate(code):
        if c == ord("["):
            stack.append(i)
        elif c == ord("]"):
            j = stack.pop()
            jump[i], jump[j] = j, i
    tape, p, pc, out, inp = bytearray(65536), 0, 0, bytearray(), 0
    while pc < len(code):
        c = code[pc]
        if c == ord("+"):
            tape[p] = (tape[p] + 1) & 255
        elif c == ord("-"):
            tape[p] = (tape[p] - 1) & 255
        elif c == ord(">"):
            p += 1
        elif c == ord("<"):
            p -= 1
        elif c == ord("."):
            out.append(tape[p])
        elif c == ord(","):
            if inp < len(data):
                tape[p] = data[inp]
                inp += 1
        elif c == ord("[") and tape[p] == 0:
            pc = jump[pc]
        elif c == ord("]") and tape[p] != 0:
            pc = jump[pc]
        pc += 1
    return bytes(out)


if __name__ == "__main__":
    prog = open(sys.argv[1], "rb").read()
    data = open(sys.argv[2], "rb").read() if len(sys.argv) > 2 else b""
    sys.stdout.buffer.write(run(prog, data))
