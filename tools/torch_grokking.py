"""A plain PyTorch reference of the paper's model, loss, optimiser and data split (no TransformerLens needed).

Written from the facts in shared/reference/paper-facts.md, independently of jgrok's Java code, so that the two
can be compared (tools/make_golden.py, bench/pytorch_eager.py, tools/load_jgrok_checkpoint.py).

Parameters carry TransformerLens names and orientations, the same as io.jgrok.model.ParamLayout:

    embed.W_E [p+1, d]     pos_embed.W_pos [3, d]
    blocks.0.attn.W_Q, W_K, W_V [H, d, dh]      blocks.0.attn.W_O [H, dh, d]
    blocks.0.mlp.W_in [d, m]  b_in [m]  W_out [m, d]  b_out [d]
    unembed.W_U [d, n_out]     (n_out = p + 1 in the paper's code, p in the TransformerLens demo)

Forward over the tokens [a, b, =] (= has id p): causal attention with scores / sqrt(dh), ReLU MLP, no LayerNorm,
logits read at the last position. The loss is the paper's float64 cross-entropy.
"""

import math
import random

import torch
from torch import nn

N_CTX = 3


class Embed(nn.Module):
    def __init__(self, vocab, d_model):
        super().__init__()
        self.W_E = nn.Parameter(torch.zeros(vocab, d_model))


class PosEmbed(nn.Module):
    def __init__(self, d_model):
        super().__init__()
        self.W_pos = nn.Parameter(torch.zeros(N_CTX, d_model))


class Attention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        d_head = d_model // n_heads
        self.W_Q = nn.Parameter(torch.zeros(n_heads, d_model, d_head))
        self.W_K = nn.Parameter(torch.zeros(n_heads, d_model, d_head))
        self.W_V = nn.Parameter(torch.zeros(n_heads, d_model, d_head))
        self.W_O = nn.Parameter(torch.zeros(n_heads, d_head, d_model))

    def forward(self, x):
        # x: [batch, pos, d]; per head q, k, v: [batch, head, pos, dh]
        q = torch.einsum("bpd,hde->bhpe", x, self.W_Q)
        k = torch.einsum("bpd,hde->bhpe", x, self.W_K)
        v = torch.einsum("bpd,hde->bhpe", x, self.W_V)
        scores = torch.einsum("bhqe,bhke->bhqk", q, k) / math.sqrt(q.shape[-1])
        n = x.shape[1]
        future = torch.triu(torch.ones(n, n, dtype=torch.bool, device=x.device), diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))
        pattern = scores.softmax(dim=-1)
        z = torch.einsum("bhqk,bhke->bhqe", pattern, v)
        # Concatenating the heads and multiplying by W_O is the sum over heads of z_h W_O[h].
        return torch.einsum("bhqe,hed->bqd", z, self.W_O)


class Mlp(nn.Module):
    def __init__(self, d_model, d_mlp):
        super().__init__()
        self.W_in = nn.Parameter(torch.zeros(d_model, d_mlp))
        self.b_in = nn.Parameter(torch.zeros(d_mlp))
        self.W_out = nn.Parameter(torch.zeros(d_mlp, d_model))
        self.b_out = nn.Parameter(torch.zeros(d_model))

    def forward(self, x):
        return torch.relu(x @ self.W_in + self.b_in) @ self.W_out + self.b_out


class Block(nn.Module):
    def __init__(self, d_model, n_heads, d_mlp):
        super().__init__()
        self.attn = Attention(d_model, n_heads)
        self.mlp = Mlp(d_model, d_mlp)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


class Unembed(nn.Module):
    def __init__(self, d_model, n_out):
        super().__init__()
        self.W_U = nn.Parameter(torch.zeros(d_model, n_out))


class GrokkingTransformer(nn.Module):
    """The one-layer model. named_parameters() yields exactly the TransformerLens / jgrok tensor names."""

    def __init__(self, p=113, d_model=128, n_heads=4, d_mlp=512, n_outputs=None):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(f"d_model {d_model} is not divisible by n_heads {n_heads}")
        self.p = p
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_mlp = d_mlp
        self.n_outputs = p + 1 if n_outputs is None else n_outputs
        self.embed = Embed(p + 1, d_model)
        self.pos_embed = PosEmbed(d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_heads, d_mlp)])
        self.unembed = Unembed(d_model, self.n_outputs)

    def forward(self, tokens):
        """tokens [batch, 3] -> logits at the last position [batch, n_outputs]."""
        x = self.embed.W_E[tokens] + self.pos_embed.W_pos[: tokens.shape[1]]
        for block in self.blocks:
            x = block(x)
        return x[:, -1] @ self.unembed.W_U

    def config(self):
        return dict(p=self.p, d_model=self.d_model, n_heads=self.n_heads, d_mlp=self.d_mlp,
                    n_outputs=self.n_outputs)


def init_weights(model, scheme="paper", generator=None):
    """Draws the weights in place. 'paper': the paper's code (std 1/sqrt(d), W_U 1/sqrt(p+1), biases 0);
    'tl-demo': every matrix N(0, (0.8/sqrt(d))^2), biases 0."""
    d = model.d_model
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith(".b_in") or name.endswith(".b_out"):
                param.zero_()
                continue
            if scheme == "tl-demo":
                std = 0.8 / math.sqrt(d)
            elif scheme == "paper":
                std = 1.0 / math.sqrt(model.p + 1) if name == "unembed.W_U" else 1.0 / math.sqrt(d)
            else:
                raise ValueError(f"unknown init scheme {scheme!r}")
            param.copy_(torch.randn(param.shape, generator=generator, dtype=param.dtype) * std)


def tokens_of(indices, p):
    """Flat pair indices a*p + b -> tokens [n, 3] = [a, b, p]."""
    idx = torch.as_tensor(indices, dtype=torch.long)
    eq = torch.full_like(idx, p)
    return torch.stack([idx // p, idx % p, eq], dim=1)


def labels_of(indices, p):
    idx = torch.as_tensor(indices, dtype=torch.long)
    return (idx // p + idx % p) % p


def cross_entropy_float64(logits, labels):
    """The paper's cross_entropy_high_precision: log-softmax in float64, mean over the batch."""
    logp = logits.to(torch.float64).log_softmax(dim=-1)
    return -logp.gather(dim=-1, index=labels[:, None]).mean()


def paper_split(p=113, train_fraction=0.3, seed=0):
    """The paper's split: all pairs in lexicographic order, Python random.seed(seed) + random.shuffle."""
    pairs = list(range(p * p))
    random.seed(seed)
    random.shuffle(pairs)
    cut = int(train_fraction * p * p)
    return pairs[:cut], pairs[cut:]


def warmup_lambda(warmup_steps):
    """LambdaLR factor of the paper's schedule: min(step / warmup, 1), step counted from 0."""
    if warmup_steps <= 0:
        return lambda step: 1.0
    return lambda step: min(step / warmup_steps, 1.0)


def make_optimizer(model, lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98), eps=1e-8, warmup_steps=10,
                   train_mlp_biases=True):
    """AdamW with weight decay on every trainable parameter, plus the warmup LambdaLR. With
    train_mlp_biases=False (TransformerLens demo) b_in and b_out are frozen and left out of the optimiser."""
    params = []
    for name, param in model.named_parameters():
        frozen = not train_mlp_biases and (name.endswith(".b_in") or name.endswith(".b_out"))
        param.requires_grad_(not frozen)
        if not frozen:
            params.append(param)
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas, eps=eps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_lambda(warmup_steps))
    return optimizer, scheduler


def train_epoch(model, optimizer, scheduler, train_tokens, train_labels, test_tokens=None, test_labels=None):
    """One full-batch epoch in the paper's order: train and test loss of the weights before the step, then the
    AdamW step, then the scheduler step. Returns (train_loss, test_loss or None) as Python floats."""
    train_loss = cross_entropy_float64(model(train_tokens), train_labels)
    test_loss = None
    if test_tokens is not None:
        with torch.no_grad():
            test_loss = cross_entropy_float64(model(test_tokens), test_labels)
    train_loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return train_loss.item(), None if test_loss is None else test_loss.item()
