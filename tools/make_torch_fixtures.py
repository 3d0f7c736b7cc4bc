"""Writes the small PyTorch files that the import/export tests read (src/test/resources/torch/), with PyTorch.

Every layout and orientation ./jgrok import recognises, from a model of p = 11 actually trained here, plus the bad
files it must refuse. Run with Debian's python3-torch (`make torch-fixtures`); the output is deterministic for a
given torch version (CPU). The files are committed, so the tests need no PyTorch.

  state_dict_paper.pt     bare state dict, the paper's orientation (float mask buffer), 12 outputs
  state_dict_tl.pt        bare state dict, TransformerLens orientation (zero attention/unembed biases, bool mask,
                          IGNORE), 11 outputs, MLP biases zero (frozen)
  paper_training.pth      the paper's training file: model, optimizer (AdamW state after 30 steps), scheduler,
                          train_loss, test_loss, train_losses, test_losses, epoch, config (a plain dict)
  paper_training.continuation.json
                          the next 5 epochs' losses of that run, trained on by PyTorch (for train --resume)
  paper_notebook.pth      the notebook's run file: state_dicts at epochs 0, 10, 20, epochs, train_losses (30),
                          test_losses (every 10th epoch), config
  tl_demo.pth             the TransformerLens demo file: config (a pickled HookedTransformerConfig, made without
                          transformer_lens), model, checkpoints (epochs 9, 19, 29), checkpoint_epochs, train_losses,
                          test_losses (after each step), train_indices, test_indices (torch.randperm, seed 598)
  views.pt                tensors that are views: a transpose (strides), a row (offset), one storage shared by
                          both and the base; a float64, an int64, a bool tensor; nested lists, tuples, None, NaN
  bad_legacy.pt           torch's pre-1.6 (non-zip) format
  bad_truncated.pth       the first half of paper_training.pth
  bad_class.pth           a pickle naming a class outside the recognised set
  bad_shapes.pth          W_in of a shape that fits no model
  bad_heads.pth           heads * d_head != d_model
  bad_bias.pth            TransformerLens orientation with a non-zero b_Q
  bad_crc.pth             state_dict_tl.pt with one byte of a storage changed
"""

import dataclasses
import json
import math
import os
import random
import sys
import types

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "torch")
P, D, H, M = 11, 16, 2, 32
DH = D // H
EPOCHS = 30


# ---- the paper's orientation (progress-measures-paper's Transformer, written from its shapes) -------------------

class PaperAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.W_K = nn.Parameter(torch.randn(H, DH, D) / math.sqrt(D))
        self.W_Q = nn.Parameter(torch.randn(H, DH, D) / math.sqrt(D))
        self.W_V = nn.Parameter(torch.randn(H, DH, D) / math.sqrt(D))
        self.W_O = nn.Parameter(torch.randn(D, DH * H) / math.sqrt(D))
        self.register_buffer("mask", torch.tril(torch.ones((3, 3))))

    def forward(self, x):
        k = torch.einsum("ihd,bpd->biph", self.W_K, x)
        q = torch.einsum("ihd,bpd->biph", self.W_Q, x)
        v = torch.einsum("ihd,bpd->biph", self.W_V, x)
        scores = torch.einsum("biph,biqh->biqp", k, q)
        scores = torch.tril(scores) - 1e10 * (1 - self.mask)
        attn = torch.softmax(scores / math.sqrt(DH), dim=-1)
        z = torch.einsum("biph,biqp->biqh", v, attn)
        z_flat = z.permute(0, 2, 1, 3).reshape(z.shape[0], z.shape[2], H * DH)
        return torch.einsum("df,bqf->bqd", self.W_O, z_flat)


class PaperMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.W_in = nn.Parameter(torch.randn(M, D) / math.sqrt(D))
        self.b_in = nn.Parameter(torch.zeros(M))
        self.W_out = nn.Parameter(torch.randn(D, M) / math.sqrt(D))
        self.b_out = nn.Parameter(torch.zeros(D))

    def forward(self, x):
        h = torch.relu(torch.einsum("md,bpd->bpm", self.W_in, x) + self.b_in)
        return torch.einsum("dm,bpm->bpd", self.W_out, h) + self.b_out


class PaperBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = PaperAttention()
        self.mlp = PaperMlp()

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


class Holder(nn.Module):
    def __init__(self, **params):
        super().__init__()
        for k, v in params.items():
            setattr(self, k, nn.Parameter(v))


class PaperModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = Holder(W_E=torch.randn(D, P + 1) / math.sqrt(D))
        self.pos_embed = Holder(W_pos=torch.randn(3, D) / math.sqrt(D))
        self.blocks = nn.ModuleList([PaperBlock()])
        self.unembed = Holder(W_U=torch.randn(D, P + 1) / math.sqrt(P + 1))

    def forward(self, tokens):
        x = torch.einsum("dbp->bpd", self.embed.W_E[:, tokens]) + self.pos_embed.W_pos[: tokens.shape[1]]
        x = self.blocks[0](x)
        return (x @ self.unembed.W_U)[:, -1]


# ---- TransformerLens's orientation ----------------------------------------------------------------------------------

class TlModel(nn.Module):
    """The demo's HookedTransformer for this config, reduced to its tensors: attention biases and b_U exist and stay
    zero, MLP biases frozen at zero, 11 outputs, no warmup; test loss after the step."""

    def __init__(self):
        super().__init__()
        std = 0.8 / math.sqrt(D)
        self.embed = Holder(W_E=torch.randn(P + 1, D) * std)
        self.pos_embed = Holder(W_pos=torch.randn(3, D) * std)
        attn = Holder(W_Q=torch.randn(H, D, DH) * std, W_O=torch.randn(H, DH, D) * std,
                      b_Q=torch.zeros(H, DH), b_O=torch.zeros(D), W_K=torch.randn(H, D, DH) * std,
                      W_V=torch.randn(H, D, DH) * std, b_K=torch.zeros(H, DH), b_V=torch.zeros(H, DH))
        attn.register_buffer("mask", torch.tril(torch.ones((3, 3), dtype=torch.bool)))
        attn.register_buffer("IGNORE", torch.tensor(-torch.inf))
        mlp = Holder(W_in=torch.randn(D, M) * std, b_in=torch.zeros(M), W_out=torch.randn(M, D) * std,
                     b_out=torch.zeros(D))
        block = nn.Module()
        block.attn = attn
        block.mlp = mlp
        self.blocks = nn.ModuleList([block])
        self.unembed = Holder(W_U=torch.randn(D, P) * std, b_U=torch.zeros(P))
        for name, param in self.named_parameters():
            if "b_" in name:
                param.requires_grad_(False)

    def forward(self, tokens):
        a = self.blocks[0].attn
        x = self.embed.W_E[tokens] + self.pos_embed.W_pos
        q = torch.einsum("bpd,hde->bhpe", x, a.W_Q) + a.b_Q[None, :, None]
        k = torch.einsum("bpd,hde->bhpe", x, a.W_K) + a.b_K[None, :, None]
        v = torch.einsum("bpd,hde->bhpe", x, a.W_V) + a.b_V[None, :, None]
        s = torch.einsum("bhqe,bhke->bhqk", q, k) / math.sqrt(DH)
        s = torch.where(a.mask, s, a.IGNORE)
        z = torch.einsum("bhqk,bhke->bhqe", torch.softmax(s, -1), v)
        x = x + torch.einsum("bhqe,hed->bqd", z, a.W_O) + a.b_O
        m = self.blocks[0].mlp
        x = x + torch.relu(x @ m.W_in + m.b_in) @ m.W_out + m.b_out
        return (x @ self.unembed.W_U + self.unembed.b_U)[:, -1]


def loss_fn(logits, labels):
    return -logits.to(torch.float64).log_softmax(-1).gather(-1, labels[:, None]).mean()


def data(indices):
    idx = torch.tensor(indices, dtype=torch.long)
    return torch.stack([idx // P, idx % P, torch.full_like(idx, P)], 1), (idx // P + idx % P) % P


def paper_split(seed=0, frac=0.3):
    pairs = list(range(P * P))
    random.seed(seed)
    random.shuffle(pairs)
    cut = int(frac * P * P)
    return pairs[:cut], pairs[cut:]


def save(obj, name, **kw):
    torch.save(obj, os.path.join(OUT, name), **kw)


def paper_runs():
    torch.manual_seed(1)
    model = PaperModel()
    train, test = paper_split()
    xtr, ytr = data(train)
    xte, yte = data(test)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1.0, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(step / 10, 1))
    train_losses, test_losses, sds, epochs = [], [], [], []

    def epoch(e, record=True):
        tl = loss_fn(model(xtr), ytr)
        with torch.no_grad():
            te = loss_fn(model(xte), yte)
        tl.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
        return tl.item(), te.item()

    for e in range(EPOCHS):
        tr, te = epoch(e)
        train_losses.append(tr)
        test_losses.append(te)
        if e % 10 == 0:
            sds.append({k: v.clone() for k, v in model.state_dict().items()})
            epochs.append(e)
    config = dict(lr=1e-2, weight_decay=1.0, p=P, d_model=D, fn_name="add", frac_train=0.3, num_epochs=EPOCHS,
                  save_models=False, save_every=10, stopping_thresh=-1, seed=0, num_layers=1, d_vocab=P + 1,
                  n_ctx=3, d_mlp=M, num_heads=H, act_type="ReLU", use_ln=False)
    save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
          "train_loss": torch.tensor(train_losses[-1], dtype=torch.float64),
          "test_loss": torch.tensor(test_losses[-1], dtype=torch.float64),
          "train_losses": train_losses, "test_losses": test_losses, "epoch": EPOCHS - 1, "config": config},
         "paper_training.pth")
    save({"state_dicts": sds, "epochs": epochs, "train_losses": train_losses, "test_losses": test_losses[::10],
          "config": config}, "paper_notebook.pth")
    save(dict(model.state_dict()), "state_dict_paper.pt")
    # The run continued by PyTorch: what jgrok's train --resume must reproduce.
    more = [epoch(e) for e in range(EPOCHS, EPOCHS + 5)]
    with open(os.path.join(OUT, "paper_training.continuation.json"), "w") as f:
        json.dump({"first_epoch": EPOCHS, "train_losses": [m[0] for m in more],
                   "test_losses": [m[1] for m in more]}, f, indent=1)
        f.write("\n")


def hooked_transformer_config_class():
    """A stand-in for transformer_lens.HookedTransformerConfig that pickles under that class's name."""
    module = types.ModuleType("transformer_lens.HookedTransformerConfig")
    sys.modules["transformer_lens"] = types.ModuleType("transformer_lens")
    sys.modules["transformer_lens.HookedTransformerConfig"] = module

    @dataclasses.dataclass
    class HookedTransformerConfig:
        n_layers: int
        d_model: int
        n_ctx: int
        d_head: int
        model_name: str = "custom"
        n_heads: int = -1
        d_mlp: int = None
        act_fn: str = None
        d_vocab: int = -1
        eps: float = 1e-5
        normalization_type: str = "LN"
        device: object = None
        seed: int = None
        d_vocab_out: int = -1
        init_weights: bool = True
        dtype: object = torch.float32
        positional_embedding_type: str = "standard"

    HookedTransformerConfig.__module__ = module.__name__
    HookedTransformerConfig.__qualname__ = "HookedTransformerConfig"
    module.HookedTransformerConfig = HookedTransformerConfig
    return HookedTransformerConfig


def tl_demo():
    torch.manual_seed(999)
    model = TlModel()
    torch.manual_seed(598)
    perm = torch.randperm(P * P)
    cut = int(P * P * 0.3)
    train_idx, test_idx = perm[:cut], perm[cut:]
    xtr, ytr = data(train_idx.tolist())
    xte, yte = data(test_idx.tolist())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1.0, betas=(0.9, 0.98))
    train_losses, test_losses, checkpoints, checkpoint_epochs = [], [], [], []
    for e in range(EPOCHS):
        tl = loss_fn(model(xtr), ytr)
        tl.backward()
        train_losses.append(tl.item())
        opt.step()
        opt.zero_grad()
        with torch.inference_mode():
            test_losses.append(loss_fn(model(xte), yte).item())
        if (e + 1) % 10 == 0:
            checkpoint_epochs.append(e)
            checkpoints.append({k: v.clone() for k, v in model.state_dict().items()})
    cfg = hooked_transformer_config_class()(n_layers=1, n_heads=H, d_model=D, d_head=DH, d_mlp=M, act_fn="relu",
                                             normalization_type=None, d_vocab=P + 1, d_vocab_out=P, n_ctx=3,
                                             init_weights=True, device=torch.device("cuda"), seed=999)
    save({"model": model.state_dict(), "config": cfg, "checkpoints": checkpoints,
          "checkpoint_epochs": checkpoint_epochs, "test_losses": test_losses, "train_losses": train_losses,
          "train_indices": train_idx, "test_indices": test_idx}, "tl_demo.pth")
    save(dict(model.state_dict()), "state_dict_tl.pt")


class Payload:
    """Stands for any class outside what jgrok reads."""


def views():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    save({"base": base, "transposed": base.t(), "row": base[1], "column": base[:, 2],
          "f64": torch.tensor([0.5, -1.25], dtype=torch.float64), "i64": torch.tensor([-3, 2**40]),
          "flags": torch.tensor([True, False, True]), "scalar": torch.tensor(2.5),
          "nested": [1, (2, "three"), None, float("nan"), {"k": [True, False]}]}, "views.pt")


def bad_files():
    sd = torch.load(os.path.join(OUT, "state_dict_paper.pt"))
    save(sd, "bad_legacy.pt", _use_new_zipfile_serialization=False)
    with open(os.path.join(OUT, "paper_training.pth"), "rb") as f:
        whole = f.read()
    with open(os.path.join(OUT, "bad_truncated.pth"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    Payload.__module__ = "payload"
    sys.modules["payload"] = types.ModuleType("payload")
    sys.modules["payload"].Payload = Payload
    save({"model": sd, "extra": Payload()}, "bad_class.pth")
    shapes = dict(sd)
    shapes["blocks.0.mlp.W_in"] = torch.zeros(M, D + 1)
    save(shapes, "bad_shapes.pth")
    heads = dict(sd)
    for name in ("blocks.0.attn.W_K", "blocks.0.attn.W_Q", "blocks.0.attn.W_V"):
        heads[name] = torch.zeros(H, DH + 1, D)
    save(heads, "bad_heads.pth")
    tl = torch.load(os.path.join(OUT, "state_dict_tl.pt"))
    tl["blocks.0.attn.b_Q"] = torch.full((H, DH), 0.5)
    save(tl, "bad_bias.pth")
    with open(os.path.join(OUT, "state_dict_tl.pt"), "rb") as f:
        raw = bytearray(f.read())
    # Change one byte inside the first storage record (<prefix>/data/0), after its local header.
    import struct
    import zipfile
    with zipfile.ZipFile(os.path.join(OUT, "state_dict_tl.pt")) as z:
        info = next(i for i in z.infolist() if i.filename.endswith("/data/0"))
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26: info.header_offset + 30])
    raw[info.header_offset + 30 + name_len + extra_len + 8] ^= 0x40
    with open(os.path.join(OUT, "bad_crc.pth"), "wb") as f:
        f.write(bytes(raw))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    paper_runs()
    tl_demo()
    views()
    bad_files()
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):8d}  {name}")


if __name__ == "__main__":
    main()
