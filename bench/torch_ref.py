#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the cases of bench/cases.mjs, measured the same way.

Same models layer by layer (bench/models.mjs), same batch sizes, float32, eager mode, the same
timed region (forward of both views, NT-Xent, backward, optimizer step; views made before the
timer), the same repetition rule (warm-up, then timed repetitions within a time budget).

    /usr/bin/python3 bench/torch_ref.py --check --threads N
        torch version, BLAS library loaded, torch.mm 1024^3 GFLOP/s (100+ expected with OpenBLAS;
        Debian's torch falls back to the netlib reference BLAS, ~40x slower, without
        libopenblas0-pthread).
    /usr/bin/python3 bench/torch_ref.py <case> --threads N [--warmup W] [--reps R] [--budget S]
            [--layout channels_last|contiguous]
        cases: sgemm, conv_fwd, conv_fwdbwd, cnn_step, mlp_step. --layout applies to the
        convolutions (conv_*, cnn_step); channels_last is NHWC in memory, as tfjs.

Prints JSON lines on stdout: {"sample_ms": x} per timed repetition, then {"result": {...}} (or
{"check": {...}}); {"error": "..."} and exit status 2 when torch cannot be imported.
"""
import argparse
import json
import math
import sys
import time

STEP = {"temperature": 0.5, "learning_rate": 0.1, "momentum": 0.9}  # as bench/cases.mjs
BN = {"momentum": 0.1, "eps": 1e-5}  # = tfjs-layers batchNormalization({momentum: 0.9, epsilon: 1e-5})


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as exc:  # noqa: BLE001 - any import failure means: no reference column
    emit({"error": f"PyTorch is not available ({type(exc).__name__}: {exc})"})
    sys.exit(2)


# ---------------------------------------------------------------------------------------------
# Models (mirror bench/models.mjs) and loss (mirror src/losses/ntxent.ts)

def small_cnn():
    """[B, 1, 28, 28] -> [B, 64]: 3 x (conv3x3 + BN + ReLU), maxpool after the first two, GAP, head."""
    def block(cin, cout, pool):
        layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=True), nn.BatchNorm2d(cout, **BN), nn.ReLU()]
        return layers + [nn.MaxPool2d(2)] if pool else layers
    return nn.Sequential(
        *block(1, 32, True), *block(32, 64, True), *block(64, 128, False),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64),
    )


def mlp():
    """[B, 784] -> [B, 64]: 784-512-512-128 with BN + ReLU, linear head 128-64."""
    return nn.Sequential(
        nn.Linear(784, 512), nn.BatchNorm1d(512, **BN), nn.ReLU(),
        nn.Linear(512, 512), nn.BatchNorm1d(512, **BN), nn.ReLU(),
        nn.Linear(512, 128),
        nn.Linear(128, 64),
    )


def nt_xent(z1, z2, temperature):
    """SimCLR's NT-Xent, computed as src/losses/ntxent.ts does."""
    n = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]), dim=1, eps=1e-12)  # [2N, D]
    logits = (u @ u.t()) / temperature  # [2N, 2N]
    self_mask = torch.eye(2 * n, dtype=torch.bool)
    log_denominator = torch.logsumexp(logits.masked_fill(self_mask, float("-inf")), dim=1)  # [2N]
    positive = (u[:n] * u[n:]).sum(1) / temperature  # [N]
    return (log_denominator.sum() - 2 * positive.sum()) / (2 * n)


# ---------------------------------------------------------------------------------------------
# Cases: each returns (fn, notes); the timed region is one call of fn

def setup_sgemm(_args):
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    return (lambda: torch.mm(a, b)), {}


def to_layout(t, layout):
    return t.contiguous(memory_format=torch.channels_last) if layout == "channels_last" else t.contiguous()


def setup_conv(args, backward):
    x = to_layout(torch.rand(64, 64, 32, 32) * 2 - 1, args.layout)  # [B, Cin, H, W]
    w = to_layout((torch.rand(64, 64, 3, 3) * 2 - 1) * 0.1, args.layout)  # [Cout, Cin, kh, kw]
    dy = to_layout(torch.ones(64, 64, 32, 32), args.layout)
    if not backward:
        def fwd():
            with torch.no_grad():
                return F.conv2d(x, w, padding=1)
        return fwd, {"layout": args.layout}
    x.requires_grad_(True)
    w.requires_grad_(True)

    def fwd_bwd():
        y = F.conv2d(x, w, padding=1)
        return torch.autograd.grad(y, (x, w), dy)
    return fwd_bwd, {"layout": args.layout}


def setup_step(args, model_name, batch):
    torch.manual_seed(0)
    if model_name == "cnn":
        model = small_cnn()
        shape = (batch, 1, 28, 28)
    else:
        model = mlp()
        shape = (batch, 784)
    model.train()  # batch norm in training mode
    view1, view2 = torch.rand(*shape), torch.rand(*shape)
    if model_name == "cnn":
        model = model.to(memory_format=torch.channels_last) if args.layout == "channels_last" else model
        view1, view2 = to_layout(view1, args.layout), to_layout(view2, args.layout)
    optimizer = torch.optim.SGD(model.parameters(), lr=STEP["learning_rate"], momentum=STEP["momentum"])

    def step():
        optimizer.zero_grad(set_to_none=True)
        z1, z2 = model(view1), model(view2)  # [B, 64] each
        loss = nt_xent(z1, z2, STEP["temperature"])
        loss.backward()
        optimizer.step()
        if not math.isfinite(loss.item()):
            raise RuntimeError(f"{model_name} step: the loss is not finite")

    params = sum(p.numel() for p in model.parameters())
    notes = {"params": params, "batch": batch, "views": 2 * batch}
    if model_name == "cnn":
        notes["layout"] = args.layout
    return step, notes


CASES = {
    "sgemm": (setup_sgemm, {"flops": 2 * 1024 ** 3}),
    "conv_fwd": (lambda a: setup_conv(a, False), {"flops": 2 * 64 * 32 * 32 * 64 * 64 * 9}),
    "conv_fwdbwd": (lambda a: setup_conv(a, True), {"flops": 3 * 2 * 64 * 32 * 32 * 64 * 64 * 9}),
    "cnn_step": (lambda a: setup_step(a, "cnn", 256), {"images": 256}),
    "mlp_step": (lambda a: setup_step(a, "mlp", 512), {"images": 512}),
}


# ---------------------------------------------------------------------------------------------
# Timing (the rule of bench/timing.mjs)

def repeat(fn, warmup, reps, budget_s):
    start = time.perf_counter()
    warmed = 0
    while warmed < warmup and not (warmed > 0 and time.perf_counter() - start > budget_s / 4):
        fn()
        warmed += 1
    samples = []
    while len(samples) < max(1, reps) and not (samples and time.perf_counter() - start > budget_s):
        t = time.perf_counter()
        fn()
        ms = (time.perf_counter() - t) * 1000
        samples.append(ms)
        emit({"sample_ms": ms})
    return samples, warmed


def summarize(samples):
    s = sorted(samples)
    mid = len(s) // 2
    median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return {"median_ms": median, "min_ms": s[0], "max_ms": s[-1], "reps": len(s), "samples_ms": samples}


def loaded_blas():
    """Shared libraries of a BLAS/LAPACK family mapped into this process."""
    names = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = path.rsplit("/", 1)[-1]
                if any(k in base for k in ("blas", "mkl", "lapack", "blis")):
                    names.add(path)
    except OSError:
        pass
    return sorted(names)


def check(args):
    fn, _ = setup_sgemm(args)
    samples, _ = repeat(fn, 3, 10, 20)
    gflops = 2 * 1024 ** 3 / (summarize(samples)["median_ms"] / 1000) / 1e9
    emit({"check": {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mm_gflops": gflops,
        "mm_ok": gflops >= 100,
        "blas": loaded_blas(),
    }})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", nargs="?", choices=sorted(CASES))
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--layout", choices=["channels_last", "contiguous"], default="channels_last")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        check(args)
        return
    if args.case is None:
        parser.error("a case or --check is required")
    setup, work = CASES[args.case]
    fn, notes = setup(args)
    samples, warmed = repeat(fn, args.warmup, args.reps, args.budget)
    result = {"case": args.case, "backend": "pytorch", "threads": torch.get_num_threads(), "warmup": warmed}
    result.update(summarize(samples))
    seconds = result["median_ms"] / 1000
    if "flops" in work:
        result["gflops"] = work["flops"] / seconds / 1e9
    if "images" in work:
        result["images_per_s"] = work["images"] / seconds
    try:
        import resource
        result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    except ImportError:
        pass
    result["notes"] = notes
    emit({"result": result})


if __name__ == "__main__":
    main()
