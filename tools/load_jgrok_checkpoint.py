"""Loads a jgrok checkpoint into plain PyTorch, describes it as a TransformerLens model, computes logits, and
exports weights back to a safetensors file that `./jgrok train --init FILE` accepts.

A jgrok checkpoint (io.jgrok.io.Checkpoints) is a safetensors file: model tensors under TransformerLens names and
orientations (embed.W_E [p+1, d], pos_embed.W_pos [3, d], blocks.0.attn.W_Q/W_K/W_V [H, d, dh], W_O [H, dh, d],
blocks.0.mlp.W_in [d, m], b_in [m], W_out [m, d], b_out [d], unembed.W_U [d, n_out]), AdamW moments under
optimizer.exp_avg.* / optimizer.exp_avg_sq.*, and the run's config as JSON in the metadata. Only numpy and torch are
needed (not the `safetensors` or `transformer_lens` packages).

Command line:
    load_jgrok_checkpoint.py FILE                       TransformerLens config and state-dict summary
    load_jgrok_checkpoint.py FILE --pairs 3,5 10,100    also the logits of those (a, b) inputs
    load_jgrok_checkpoint.py FILE --export OUT.safetensors
    load_jgrok_checkpoint.py FILE --json ...            the same as one JSON object
FILE is a jgrok checkpoint, any safetensors file with TransformerLens names, or a torch state dict (.pt / .pth,
e.g. a TransformerLens model's state_dict(), or the paper's model's state_dict() in its own orientation, as
`./jgrok export RUN --format pt --orientation paper` writes: W_E [d, p+1], W_Q/K/V [H, dh, d], W_O [d, H*dh],
W_in [d_mlp, d], W_out [d, d_mlp], W_U [d, n_out], mask buffer).

From Python (e.g. with TransformerLens installed):
    import load_jgrok_checkpoint as lj
    ck = lj.load("runs/paper/checkpoints/checkpoint_epoch_39999.safetensors")
    cfg = transformer_lens.HookedTransformerConfig(**ck.tl_config())
    model = transformer_lens.HookedTransformer(cfg)
    model.load_state_dict(ck.tl_state_dict(), strict=False)   # strict=False: TL builds its mask buffers itself
"""

import argparse
import json
import os
import pickle
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import torch_grokking as tg  # noqa: E402

MODEL_NAMES = [
    "embed.W_E", "pos_embed.W_pos",
    "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.W_O",
    "blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out",
    "unembed.W_U",
]
# Biases a TransformerLens model has and jgrok's model does not (they are zero in the paper's model too).
ABSENT_BIASES = ["blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.attn.b_O",
                 "unembed.b_U"]


class Checkpoint:
    """A loaded model: the plain PyTorch module (float32) plus what the file said about the run."""

    def __init__(self, model, jgrok_config=None, metadata=None):
        self.model = model
        self.jgrok_config = jgrok_config or {}
        self.metadata = metadata or {}

    def tl_config(self):
        """Keyword arguments of transformer_lens.HookedTransformerConfig for an equivalent model."""
        m = self.model
        return {
            "n_layers": 1,
            "d_model": m.d_model,
            "d_head": m.d_model // m.n_heads,
            "n_heads": m.n_heads,
            "d_mlp": m.d_mlp,
            "d_vocab": m.p + 1,
            "d_vocab_out": m.n_outputs,
            "n_ctx": tg.N_CTX,
            "act_fn": "relu",
            "normalization_type": None,
            "attn_only": False,
            "positional_embedding_type": "standard",
            "use_attn_scale": True,
        }

    def tl_state_dict(self):
        """A TransformerLens state dict: jgrok's tensors plus the biases TL has and jgrok lacks, set to zero."""
        m = self.model
        d_head = m.d_model // m.n_heads
        sd = {name: t.detach().clone() for name, t in m.named_parameters()}
        zeros = {
            "blocks.0.attn.b_Q": (m.n_heads, d_head), "blocks.0.attn.b_K": (m.n_heads, d_head),
            "blocks.0.attn.b_V": (m.n_heads, d_head), "blocks.0.attn.b_O": (m.d_model,),
            "unembed.b_U": (m.n_outputs,),
        }
        for name in ABSENT_BIASES:
            sd[name] = torch.zeros(zeros[name], dtype=torch.float32)
        return sd

    def logits(self, pairs):
        """Logits [len(pairs), n_out] (float32) of the inputs [a, b, =]."""
        p = self.model.p
        for a, b in pairs:
            if not (0 <= a < p and 0 <= b < p):
                raise ValueError(f"pair ({a}, {b}) is out of range: a and b must be in 0..{p - 1}")
        indices = [a * p + b for a, b in pairs]
        with torch.no_grad():
            return self.model(tg.tokens_of(indices, p))


# Buffers of the paper's model and TransformerLens's: not weights (the causal mask is rebuilt).
BUFFERS = ["blocks.0.attn.mask", "blocks.0.attn.IGNORE"]


def is_paper_orientation(tensors):
    """The paper's code stores W_O as [d_model, heads*d_head] (2-D); TransformerLens as [heads, d_head, d_model]."""
    w_o = tensors.get("blocks.0.attn.W_O")
    return w_o is not None and len(_numpy(w_o).shape) == 2


def from_paper_orientation(tensors):
    """The paper's state dict (progress-measures-paper: weights applied on the left) in TransformerLens orientation:
    W_E [d, p+1] -> [p+1, d]; W_Q/W_K/W_V [H, dh, d] -> [H, d, dh]; W_O [d, H*dh] -> [H, dh, d];
    W_in [m, d] -> [d, m]; W_out [d, m] -> [m, d]; W_pos, biases and W_U unchanged; the mask buffer dropped."""
    out = {}
    for name, value in tensors.items():
        a = _numpy(value)
        if name in BUFFERS:
            continue
        if name in ("embed.W_E", "blocks.0.mlp.W_in", "blocks.0.mlp.W_out"):
            a = a.T
        elif name in ("blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V"):
            a = a.transpose(0, 2, 1)
        elif name == "blocks.0.attn.W_O":
            heads = _numpy(tensors["blocks.0.attn.W_Q"]).shape[0]
            a = a.T.reshape(heads, a.shape[1] // heads, a.shape[0])
        out[name] = np.ascontiguousarray(a)
    return out


def model_from_tensors(tensors):
    """Builds the plain PyTorch model from the tensors (numpy or torch) of a state dict in TransformerLens's (and
    jgrok's) orientation or the paper's; shapes give the config."""
    if is_paper_orientation(tensors):
        tensors = from_paper_orientation(tensors)
    missing = [n for n in MODEL_NAMES if n not in tensors]
    if missing:
        raise ValueError("not a jgrok / TransformerLens grokking model: missing " + ", ".join(missing))
    for name in ABSENT_BIASES:
        if name in tensors and np.any(_numpy(tensors[name]) != 0):
            raise ValueError(f"{name} is non-zero, but this model has no such bias (only b_in and b_out)")
    w_e = _numpy(tensors["embed.W_E"])
    w_q = _numpy(tensors["blocks.0.attn.W_Q"])
    w_in = _numpy(tensors["blocks.0.mlp.W_in"])
    w_u = _numpy(tensors["unembed.W_U"])
    model = tg.GrokkingTransformer(p=w_e.shape[0] - 1, d_model=w_e.shape[1], n_heads=w_q.shape[0],
                                   d_mlp=w_in.shape[1], n_outputs=w_u.shape[1])
    with torch.no_grad():
        for name, param in model.named_parameters():
            value = torch.as_tensor(np.asarray(_numpy(tensors[name]), dtype=np.float32))
            if tuple(value.shape) != tuple(param.shape):
                raise ValueError(f"{name} has shape {list(value.shape)}, expected {list(param.shape)}")
            param.copy_(value)
    return model


def load(path, trust_pickle=False):
    """Loads a jgrok checkpoint, a TL-named safetensors file, or a torch file (.pt/.pth): a state dict in either
    orientation, or a dict holding one under 'model' (the paper's training file, the TransformerLens demo file)."""
    if path.endswith(".pt") or path.endswith(".pth"):
        try:
            state = torch.load(path, map_location="cpu", weights_only=not trust_pickle)  # no arbitrary unpickling
        except TypeError:  # torch < 1.13 has no weights_only
            state = torch.load(path, map_location="cpu")
        except pickle.UnpicklingError as e:
            raise ValueError(f"torch.load(weights_only=True) refused {path} ({str(e).splitlines()[-1]}); older "
                             "torch refuses even lists of floats this way: pass --trust-pickle if you trust the "
                             "file, or import it with ./jgrok import") from None
        if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
            state = state["model"]
        return Checkpoint(model_from_tensors(state), metadata={"source": path})
    tensors, metadata = safetensors_io.read(path)
    config = json.loads(metadata["config"]) if "config" in metadata else {}
    ck = Checkpoint(model_from_tensors(tensors), config, metadata)
    _check_against_config(ck)
    return ck


def export(state_dict, path, metadata=None):
    """Writes the float tensors of a TL-style state dict as float32 safetensors for `jgrok train --init`.
    Buffers that are not weights (TL's attention mask and IGNORE) are left out; biases jgrok lacks must be zero."""
    out = {}
    for name, value in state_dict.items():
        array = _numpy(value)
        if name in ABSENT_BIASES and np.any(array != 0):
            raise ValueError(f"{name} is non-zero; jgrok's model has no such bias and would reject the file")
        if name in MODEL_NAMES or name in ABSENT_BIASES:
            out[name] = np.asarray(array, dtype=np.float32)
    missing = [n for n in MODEL_NAMES if n not in out]
    if missing:
        raise ValueError("state dict lacks " + ", ".join(missing))
    safetensors_io.write(path, out, dict(metadata or {}, format="pt"))


def _check_against_config(ck):
    c = ck.jgrok_config
    if not c:
        return
    m = ck.model
    expected_out = c.get("p", m.p) + 1 if c.get("equals_logit", True) else c.get("p", m.p)
    wanted = {"p": m.p, "d_model": m.d_model, "n_heads": m.n_heads, "d_mlp": m.d_mlp}
    for key, value in wanted.items():
        if key in c and c[key] != value:
            raise ValueError(f"config says {key} = {c[key]} but the tensors have {value}")
    if "p" in c and expected_out != m.n_outputs:
        raise ValueError(f"config implies {expected_out} logits but unembed.W_U has {m.n_outputs}")


def _numpy(value):
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _parse_pair(text):
    try:
        a, b = text.split(",")
        return int(a), int(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A,B (two integers), got {text!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("file", help="jgrok checkpoint, TL-named safetensors file, or torch state dict (.pt)")
    parser.add_argument("--pairs", nargs="*", type=_parse_pair, default=[], metavar="A,B",
                        help="inputs (a, b) whose logits to print")
    parser.add_argument("--export", metavar="OUT", help="write a TL-style safetensors file for jgrok --init")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="torch.load with weights_only=False (only for files you trust)")
    args = parser.parse_args(argv)
    try:
        ck = load(args.file, args.trust_pickle)
        logits = ck.logits(args.pairs) if args.pairs else None
        if args.export:
            export(ck.tl_state_dict(), args.export, {"source": os.path.basename(args.file)})
    except (OSError, ValueError, KeyError) as e:
        print(f"load_jgrok_checkpoint: {e}", file=sys.stderr)
        return 2
    sd = ck.tl_state_dict()
    if args.json:
        print(json.dumps({
            "tl_config": ck.tl_config(),
            "state_dict": {k: list(v.shape) for k, v in sd.items()},
            "epoch": ck.metadata.get("epoch"),
            "pairs": [list(pair) for pair in args.pairs],
            "logits": None if logits is None else logits.tolist(),
        }))
        return 0
    print("TransformerLens config (HookedTransformerConfig keyword arguments):")
    for key, value in ck.tl_config().items():
        print(f"  {key} = {value!r}")
    print("TransformerLens state dict:")
    for name, value in sd.items():
        note = "  (zero: jgrok has no such bias)" if name in ABSENT_BIASES else ""
        print(f"  {name:22s} {list(value.shape)}{note}")
    if logits is not None:
        p = ck.model.p
        for (a, b), row in zip(args.pairs, logits):
            best = int(row[:p].argmax())
            print(f"  ({a}, {b}): argmax {best} (answer {(a + b) % p}), logit {row[best].item():.4f}")
    if args.export:
        print(f"wrote {args.export} (use: ./jgrok train --init {args.export})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
