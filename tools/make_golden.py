"""Writes the golden test files src/test/resources/golden/*.safetensors from plain PyTorch (tools/torch_grokking.py).

Each file holds a small fixed-seed state and what PyTorch computes from it, for io.jgrok.golden.GoldenTest:

    params.<name>          F32  weights drawn by torch (seeded), TransformerLens names and shapes
    examples               F64  flat pair indices a*p + b of the batch (exact integers)
    logits.f32             F32  [n, n_out] logits of the float32 model
    logits.f64             F64  [n, n_out] logits of the same weights in a float64 model
    loss.f32, loss.f64     F64  [1] float64 cross-entropy of those logits (the paper's cross_entropy_high_precision)
    grad.f64.<name>        F64  gradient of the mean loss, float64 model
    grad.f32.<name>        F32  gradient of the float32 model (small configs only, to keep files small)
    train_losses           F64  [steps] train loss before each of the `steps` optimiser steps (float32 training)
    test_losses            F64  [steps] test loss of each epoch (every pair not in the batch), before or after the
                                step as the config's test timing says
    after.<name>           F32  weights after `steps` AdamW + warmup steps on the batch, full batch
    after.exp_avg.<name>, after.exp_avg_sq.<name>   F32  AdamW moments after those steps (small configs only)

Metadata: format, config (a jgrok RunConfig JSON subset: RunConfig.fromJson accepts it), steps, torch_seed,
description, the generating command, the torch version, and torch's own float32-vs-float64 errors.

Run: /usr/bin/python3 tools/make_golden.py   (needs torch; deterministic on CPU for a given torch version)
"""

import argparse
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import torch_grokking as tg  # noqa: E402

FORMAT = "jgrok-golden-1"
STEPS = 3
BIAS_STD = 0.1  # MLP biases are drawn non-zero (where trained) so the files also check how biases enter the forward

CASES = [
    dict(name="small_paper", torch_seed=1, preset="paper", p=13, d_model=8, n_heads=2, d_mlp=16,
         equals_logit=True, train_mlp_biases=True, warmup_steps=10, split="python", batch=None,
         description="p=13 toy model, paper variant: p+1 logits, trained MLP biases, 10-step warmup"),
    dict(name="small_tl", torch_seed=2, preset="tl-demo", p=13, d_model=8, n_heads=2, d_mlp=16,
         equals_logit=False, train_mlp_biases=False, warmup_steps=0, split="torch", batch=None,
         description="p=13 toy model, TransformerLens-demo variant: p logits, MLP biases frozen at zero, "
                     "no warmup, test loss after the step"),
    dict(name="paper", torch_seed=3, preset="paper", p=113, d_model=128, n_heads=4, d_mlp=512,
         equals_logit=True, train_mlp_biases=True, warmup_steps=10, split="python", batch=256,
         description="the paper's config (226,816 parameters) on the first 256 pairs of the paper's train set"),
]


def batch_of(case):
    p = case["p"]
    if case["split"] == "python":
        train, _ = tg.paper_split(p, 0.3, 0)
    else:
        gen = torch.Generator().manual_seed(598)
        train = torch.randperm(p * p, generator=gen)[: int(0.3 * p * p)].tolist()
    return train if case["batch"] is None else train[: case["batch"]]


def jgrok_config(case):
    return {
        "preset": case["preset"], "p": case["p"], "d_model": case["d_model"], "n_heads": case["n_heads"],
        "d_mlp": case["d_mlp"], "equals_logit": case["equals_logit"],
        "train_mlp_biases": case["train_mlp_biases"], "lr": 1e-3, "weight_decay": 1.0, "beta1": 0.9,
        "beta2": 0.98, "adam_eps": 1e-8, "warmup_steps": case["warmup_steps"], "n_epochs": STEPS,
        "test_timing": "before-step" if case["preset"] == "paper" else "after-step",
    }


def rel_err(actual, expected):
    actual = actual.detach().double()
    expected = expected.detach().double()
    return float((actual - expected).abs().max() / max(expected.abs().max().item(), 1e-6))


def make_case(case, out_dir):
    p = case["p"]
    gen = torch.Generator().manual_seed(case["torch_seed"])
    n_out = p + 1 if case["equals_logit"] else p
    model = tg.GrokkingTransformer(p, case["d_model"], case["n_heads"], case["d_mlp"], n_out)
    tg.init_weights(model, "paper", generator=gen)
    if case["train_mlp_biases"]:
        with torch.no_grad():
            for name, param in model.named_parameters():
                if name.endswith(".b_in") or name.endswith(".b_out"):
                    param.copy_(torch.randn(param.shape, generator=gen) * BIAS_STD)
    small = case["batch"] is None
    examples = batch_of(case)
    in_batch = set(examples)
    test_examples = [i for i in range(p * p) if i not in in_batch]
    tokens, labels = tg.tokens_of(examples, p), tg.labels_of(examples, p)
    test_tokens, test_labels = tg.tokens_of(test_examples, p), tg.labels_of(test_examples, p)

    out = {}
    for name, param in model.named_parameters():
        out["params." + name] = param.detach().clone()
    out["examples"] = torch.tensor(examples, dtype=torch.float64)

    # Float32 and float64 forward + backward on the same weights.
    model64 = copy.deepcopy(model).double()
    logits32 = model(tokens)
    loss32 = tg.cross_entropy_float64(logits32, labels)
    loss32.backward()
    logits64 = model64(tokens)
    loss64 = tg.cross_entropy_float64(logits64, labels)
    loss64.backward()
    out["logits.f32"] = logits32.detach()
    out["logits.f64"] = logits64.detach()
    out["loss.f32"] = loss32.detach().reshape(1)
    out["loss.f64"] = loss64.detach().reshape(1)
    errors = {"logits": rel_err(logits32, logits64),
              "loss": abs(loss32.item() - loss64.item()) / abs(loss64.item())}
    for (name, p32), (_, p64) in zip(model.named_parameters(), model64.named_parameters()):
        out["grad.f64." + name] = p64.grad.detach()
        if small:
            out["grad.f32." + name] = p32.grad.detach()
        errors["grad." + name] = rel_err(p32.grad, p64.grad)
    model.zero_grad(set_to_none=True)

    # STEPS full-batch epochs of float32 training, in the paper's order.
    optimizer, scheduler = tg.make_optimizer(model, warmup_steps=case["warmup_steps"],
                                             train_mlp_biases=case["train_mlp_biases"])
    test_after = case["preset"] != "paper"
    train_losses, test_losses = [], []
    for _ in range(STEPS):
        if test_after:
            train_loss, _ = tg.train_epoch(model, optimizer, scheduler, tokens, labels)
            with torch.no_grad():
                test_loss = tg.cross_entropy_float64(model(test_tokens), test_labels).item()
        else:
            train_loss, test_loss = tg.train_epoch(model, optimizer, scheduler, tokens, labels,
                                                   test_tokens, test_labels)
        train_losses.append(train_loss)
        test_losses.append(test_loss)
    out["train_losses"] = torch.tensor(train_losses, dtype=torch.float64)
    out["test_losses"] = torch.tensor(test_losses, dtype=torch.float64)
    for name, param in model.named_parameters():
        out["after." + name] = param.detach().clone()
        if small:
            state = optimizer.state.get(param)
            zeros = torch.zeros_like(param)
            out["after.exp_avg." + name] = state["exp_avg"] if state else zeros
            out["after.exp_avg_sq." + name] = state["exp_avg_sq"] if state else zeros

    metadata = {
        "format": FORMAT,
        "description": case["description"],
        "config": json.dumps(jgrok_config(case)),
        "steps": str(STEPS),
        "torch_seed": str(case["torch_seed"]),
        "weights": f"paper init drawn by torch.randn from torch.Generator().manual_seed({case['torch_seed']}); "
                   + (f"MLP biases N(0, {BIAS_STD}^2)" if case["train_mlp_biases"] else "MLP biases zero"),
        "batch": ("paper split (Python random.seed(0) shuffle)" if case["split"] == "python"
                  else "torch.randperm(p*p) after manual_seed(598)")
                 + (" train set" if small else f", first {case['batch']} train pairs"),
        "command": "/usr/bin/python3 tools/make_golden.py",
        "torch_version": torch.__version__,
        "torch_f32_rel_errors": json.dumps(errors),
    }
    path = os.path.join(out_dir, case["name"] + ".safetensors")
    safetensors_io.write(path, out, metadata)
    worst = max(v for k, v in errors.items())
    print(f"{path}: {len(examples)} examples, {os.path.getsize(path) / 1e6:.2f} MB, "
          f"torch f32-vs-f64 worst rel error {worst:.2e}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "src", "test", "resources", "golden"),
                        help="output directory (default: src/test/resources/golden)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: a fixed summation order, so reruns give the same bytes
    os.makedirs(args.out, exist_ok=True)
    for case in CASES:
        make_case(case, args.out)


if __name__ == "__main__":
    main()
