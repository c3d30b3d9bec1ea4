"""PyTorch reference for bench/neural.ts: the Neural method's autoencoder, trained the same way.

    python3 bench/neural_torch.py <matrix.f32> <n> <d> <epochs> <threads>

Same architecture (d -> 64 -> 32 -> 10 -> 32 -> 64 -> d, ReLU hidden layers, linear bottleneck
and output), MSE loss, Adam(lr 1e-3, eps 1e-7 as Keras/TF.js), batch 32, the rows shuffled once
per epoch and sliced into batches. Reads the float32 matrix bench/neural.ts wrote, so both sides
train on the same numbers. Prints one line `BENCH_RESULT {json}`: the seconds of every epoch
(the first one is warm-up), the loss of every epoch, and torch's version and thread count.
"""
import json
import sys
import time

import numpy as np
import torch


def main() -> None:
    path, n, d, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    if threads > 0:
        torch.set_num_threads(threads)
    x = torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(n, d).copy())
    torch.manual_seed(42)
    g = torch.Generator().manual_seed(7)
    model = torch.nn.Sequential(
        torch.nn.Linear(d, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
        torch.nn.Linear(10, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, d),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.MSELoss()
    seconds, losses = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        shuffled = x[torch.randperm(n, generator=g)]
        total = 0.0
        for s in range(0, n, 32):
            batch = shuffled[s:s + 32]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(batch), batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
        seconds.append(time.perf_counter() - start)
        losses.append(total / n)
    print("BENCH_RESULT " + json.dumps({
        "seconds": seconds,
        "losses": losses,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "steps_per_epoch": (n + 31) // 32,
    }))


if __name__ == "__main__":
    main()
