"""Times plain PyTorch eager training at the paper's config: the baseline jgrok's engines are compared with.

One epoch, as in the paper's code: float32 forward of the 3830 train pairs (full batch) and float64 cross-entropy,
the test loss on the 8939 test pairs under no_grad (every epoch), backward, AdamW step (weight decay 1.0 on every
parameter, betas (0.9, 0.98)), warmup scheduler step. Reports the median wall time per epoch over --epochs epochs
after --warmup untimed ones, and the process CPU time per epoch (which other jobs on a shared machine inflate
less than the wall time; with n threads it is up to n times the wall time).

Run: /usr/bin/python3 bench/pytorch_eager.py [--threads 2] [--epochs 20] [--warmup 3] [--json]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import torch_grokking as tg  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--epochs", type=int, default=20, help="timed epochs (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed epochs first (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="torch seed of the weight init (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()
    if args.threads < 1 or args.epochs < 1 or args.warmup < 0:
        parser.error("--threads and --epochs must be >= 1, --warmup >= 0")

    torch.set_num_threads(args.threads)
    p = 113
    train, test = tg.paper_split(p, 0.3, 0)
    train_tokens, train_labels = tg.tokens_of(train, p), tg.labels_of(train, p)
    test_tokens, test_labels = tg.tokens_of(test, p), tg.labels_of(test, p)
    model = tg.GrokkingTransformer(p, 128, 4, 512, p + 1)
    tg.init_weights(model, "paper", generator=torch.Generator().manual_seed(args.seed))
    optimizer, scheduler = tg.make_optimizer(model, lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98),
                                             warmup_steps=10)

    times = []
    cpu_times = []
    losses = None
    for epoch in range(args.warmup + args.epochs):
        start = time.perf_counter()
        cpu_start = time.process_time()
        losses = tg.train_epoch(model, optimizer, scheduler, train_tokens, train_labels, test_tokens,
                                test_labels)
        elapsed = time.perf_counter() - start
        cpu_elapsed = time.process_time() - cpu_start
        if epoch >= args.warmup:
            times.append(elapsed)
            cpu_times.append(cpu_elapsed)

    result = {
        "engine": "pytorch-eager",
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "train_pairs": len(train),
        "test_pairs": len(test),
        "epochs_timed": len(times),
        "ms_per_epoch_median": 1000 * statistics.median(times),
        "ms_per_epoch_min": 1000 * min(times),
        "ms_per_epoch_max": 1000 * max(times),
        "cpu_ms_per_epoch_median": 1000 * statistics.median(cpu_times),
        "load_average_1min": os.getloadavg()[0],
        "last_train_loss": losses[0],
        "last_test_loss": losses[1],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {result['torch_version']} eager, {result['threads']} thread(s), paper config "
              f"({result['train_pairs']} train / {result['test_pairs']} test pairs, test loss every epoch):")
        print(f"  {result['ms_per_epoch_median']:.1f} ms/epoch median over {len(times)} epochs "
              f"(min {result['ms_per_epoch_min']:.1f}, max {result['ms_per_epoch_max']:.1f}); "
              f"{1000 / result['ms_per_epoch_median']:.2f} epochs/s")
        print(f"  process CPU time {result['cpu_ms_per_epoch_median']:.1f} ms/epoch median; "
              f"load average (1 min) at the end {result['load_average_1min']:.2f}")


if __name__ == "__main__":
    main()
