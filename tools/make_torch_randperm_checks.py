"""Writes src/test/resources/golden/torch_randperm.json: check values of torch.manual_seed(seed); torch.randperm(n)
on the CPU, for io.jgrok.data.TorchRandomTest (which needs no torch).

For each (seed, n): the first min(n, 64) and last min(n, 32) elements and sum_i (i + 1) * r[i] over the whole
permutation (any transposition of two different elements changes that sum).

Run: /usr/bin/python3 tools/make_torch_randperm_checks.py
"""

import json
import os

import torch

SEEDS = [0, 1, 42, 598, 2**31, 2**32 + 598, -1]
SIZES = [1, 2, 3, 10, 113, 1000, 12769, 50000]


def case(seed, n):
    torch.manual_seed(seed)
    r = torch.randperm(n).tolist()
    return {"seed": seed, "n": n, "head": r[:64], "tail": r[-32:],
            "weighted_sum": sum((i + 1) * v for i, v in enumerate(r))}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "src", "test", "resources", "golden", "torch_randperm.json")
    cases = [case(s, n) for s in SEEDS for n in SIZES]
    doc = {"torch_version": torch.__version__,
           "command": "/usr/bin/python3 tools/make_torch_randperm_checks.py",
           "what": "torch.manual_seed(seed); torch.randperm(n) on the CPU",
           "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
