"""Checks jgrok's exported PyTorch files with torch.load (run by io.jgrok.interop.TorchExportInteropTest).

argv: RUN_DIR TL_DEMO_FILE PT_TL_DIR PT_PAPER_DIR. Compares every tensor with the run's safetensors checkpoints,
follows the TransformerLens demo's loading code, and prints one JSON line: the paper-orientation model's logits of
a few pairs, as tools/load_jgrok_checkpoint.py computes them, for the Java side to compare with its engine.
"""
import glob
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, "tools")
import load_jgrok_checkpoint as lj  # noqa: E402
import safetensors_io  # noqa: E402

run, demo_file, pt_tl, pt_paper = sys.argv[1:5]
cfg_json = json.load(open(os.path.join(run, "config.json")))
p = cfg_json["p"]
TL_KEYS = {"embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V",
           "blocks.0.attn.W_O", "blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.attn.b_O",
           "blocks.0.attn.mask", "blocks.0.attn.IGNORE", "blocks.0.mlp.W_in", "blocks.0.mlp.b_in",
           "blocks.0.mlp.W_out", "blocks.0.mlp.b_out", "unembed.W_U", "unembed.b_U"}

checkpoints = {}
for f in glob.glob(os.path.join(run, "checkpoints", "checkpoint_epoch_*.safetensors")):
    tensors, meta = safetensors_io.read(f)
    checkpoints[int(meta["epoch"])] = {k: v for k, v in tensors.items() if not k.startswith(("optimizer.", "grok"))}
epochs = sorted(checkpoints)


def check_tl_state_dict(sd, want, where):
    assert set(sd.keys()) == TL_KEYS, (where, sorted(set(sd.keys()) ^ TL_KEYS))
    for name, value in want.items():
        got = sd[name]
        assert got.dtype == torch.float32, (where, name, got.dtype)
        assert tuple(got.shape) == tuple(value.shape), (where, name, tuple(got.shape), value.shape)
        assert np.array_equal(got.numpy(), value), (where, name)
    for name in ("blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.attn.b_O", "unembed.b_U"):
        assert not sd[name].any(), (where, name)
    assert sd["blocks.0.attn.mask"].dtype == torch.bool
    assert torch.equal(sd["blocks.0.attn.mask"], torch.tril(torch.ones(3, 3, dtype=torch.bool)))
    assert sd["blocks.0.attn.IGNORE"].item() == -math.inf


# The TransformerLens demo's loading code, as its model card gives it (HookedTransformer itself is not installed).
cached_data = torch.load(demo_file, weights_only=False)
assert isinstance(cached_data["config"], dict)
config = cached_data["config"]
assert config == {"n_layers": 1, "n_heads": cfg_json["n_heads"], "d_model": cfg_json["d_model"],
                  "d_head": cfg_json["d_model"] // cfg_json["n_heads"], "d_mlp": cfg_json["d_mlp"], "act_fn": "relu",
                  "normalization_type": None, "d_vocab": p + 1,
                  "d_vocab_out": p + 1 if cfg_json["equals_logit"] else p, "n_ctx": 3, "seed": cfg_json["seed"]}, config
model_checkpoints = cached_data["checkpoints"]
checkpoint_epochs = cached_data["checkpoint_epochs"]
train_losses = cached_data["train_losses"]
test_losses = cached_data["test_losses"]
train_indices = cached_data["train_indices"]
test_indices = cached_data["test_indices"]
assert checkpoint_epochs == epochs, (checkpoint_epochs, epochs)
assert len(model_checkpoints) == len(epochs)
for e, sd in zip(checkpoint_epochs, model_checkpoints):
    check_tl_state_dict(sd, checkpoints[e], f"checkpoints[{e}]")
check_tl_state_dict(cached_data["model"], checkpoints[epochs[-1]], "model")
split = json.load(open(os.path.join(run, "split.json")))
assert train_indices.dtype == torch.int64 and train_indices.tolist() == split["train_indices"]
assert test_indices.tolist() == split["test_indices"]
history = json.load(open(os.path.join(run, "logs", "training_history.json")))
assert len(train_losses) == len(history["train_loss"])
for a, b in zip(test_losses, history["test_loss"]):
    assert (b is None and math.isnan(a)) or a == b, (a, b)
assert train_losses == history["train_loss"]

# Per-checkpoint state dicts: weights_only=True loads them (only tensors, strings and ints in them).
for e in epochs:
    sd = torch.load(os.path.join(pt_tl, f"checkpoint_epoch_{e}.pt"), weights_only=True)
    check_tl_state_dict(sd, checkpoints[e], f"pt {e}")
    paper = torch.load(os.path.join(pt_paper, f"checkpoint_epoch_{e}.pt"), weights_only=True)
    assert paper["blocks.0.attn.W_O"].dim() == 2 and paper["blocks.0.attn.mask"].dtype == torch.float32
    back = lj.from_paper_orientation(paper)
    for name, value in checkpoints[e].items():
        assert np.array_equal(back[name], value), ("paper orientation", e, name)

pairs = [(0, 0), (3, 5), (p - 1, p - 1), (7, 2)]
ck = lj.load(os.path.join(pt_paper, f"checkpoint_epoch_{epochs[-1]}.pt"))
print(json.dumps({"epoch": epochs[-1], "pairs": pairs, "logits": ck.logits(pairs).tolist()}))
