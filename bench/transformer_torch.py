#!/usr/bin/python3
"""PyTorch reference of the MiniLM-L6-sized encoder for bench/transformer-speed.mjs.

The model is bench/bert-golden.py's literal BERT (HF modeling_bert.py's modules, no `transformers`
package) with all-MiniLM-L6-v2's dimensions and random weights: hidden 384, 6 layers, 12 heads,
intermediate 1536, vocab 30522, 512 positions, post-LN, exact erf GELU, dropout 0.1 in training,
mean pooling over the attention mask (sentence-transformers'), no pooler in the forward. Float32,
eager mode, torch.set_num_threads(--threads).

    /usr/bin/python3 bench/transformer_torch.py export DIR [--seed S]
        Random weights (BERT's init: normal(0, 0.02), LayerNorm 1 / 0, biases 0), written as a
        Hugging Face BERT folder: DIR/config.json + DIR/model.safetensors (BertModel state dict,
        what the library's loadHfBert reads), and DIR/model.onnx: the inference forward
        (input_ids, attention_mask int64 [batch, seq] -> sentence_embedding float32 [batch, 384],
        mean pooled), torch.onnx.export, opset 14, dynamic batch and sequence axes. Torch 1.13's
        exporter serialises the graph itself: the `onnx` Python package is not needed.
    /usr/bin/python3 bench/transformer_torch.py bench --model DIR [--threads 2] [--warmup 2] [--reps 5]
        Times (a) an MNRL training step: 32 (anchor, positive) pairs of 64 tokens, each view through
        the encoder, cosine similarities x 20, cross-entropy against the diagonal, backward, AdamW
        (lr 2e-5, weight decay 0.01) step; (b) the inference forward of 32 x 64 tokens under no_grad
        (eval mode). Inputs made before the timer. Prints one JSON line with the medians.
    /usr/bin/python3 bench/transformer_torch.py serve --model DIR [--threads 2]
        For side-by-side runs: prints {"ready": {...}} (torch version, BLAS, torch.mm 1024^3
        GFLOP/s), then reads commands from stdin, one a line: `step` or `infer` runs one timed
        repetition and prints {"ms": x, "value": v} (v: the step's loss, or the first 8 values of
        the first embedding); `quit` ends. The caller alternates these with its own
        repetitions so machine noise hits both alike.

Token ids: position 0 is [CLS] (101), the rest 1000 + (i * 7919) % 29000 over the flattened batch
(the same ids as bench/transformer-speed.mjs); attention mask all ones; positives use the ids
shifted by 17 so the two views differ.
"""
import argparse
import importlib.util
import json
import math
import os
import struct
import sys
import time

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except Exception as exc:  # noqa: BLE001 - any import failure means: no reference column
    sys.stdout.write(json.dumps({"error": f"PyTorch is not available ({type(exc).__name__}: {exc})"}) + "\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("bert_golden", os.path.join(HERE, "bert-golden.py"))
bert = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bert)

CONFIG = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    "vocab_size": 30522,
    "hidden_size": 384,
    "num_hidden_layers": 6,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "position_embedding_type": "absolute",
    "pad_token_id": 0,
}
BATCH, SEQ = 32, 64
SCALE, LR, WEIGHT_DECAY = 20.0, 2e-5, 0.01


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class MeanPooled(nn.Module):
    """BertModel's embeddings + encoder, then the mean over the attention mask (no pooler)."""

    def __init__(self, model):
        super().__init__()
        self.bert = model

    def forward(self, input_ids, attention_mask):
        b = self.bert
        token_type_ids = torch.zeros_like(input_ids)
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        h = b.encoder(b.embeddings(input_ids, token_type_ids), ext)
        m = attention_mask.unsqueeze(-1).to(torch.float32)
        return (h * m).sum(1) / m.sum(1).clamp(min=1e-9)


def init_weights(model, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.fill_(1.0)
            elif name.endswith("bias"):
                p.zero_()
            else:
                p.normal_(0.0, CONFIG["initializer_range"])


def write_safetensors(path, tensors):
    """(name, tensor) list -> safetensors file (F32 / I64), written with numpy's raw bytes."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors:
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.numpy().astype("<f4" if dtype == "F32" else "<i8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    js = json.dumps(header, separators=(",", ":")).encode("utf-8")
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for raw in chunks:
            f.write(raw)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dt = {"F32": torch.float32, "I64": torch.int64}[info["dtype"]]
        out[name] = torch.frombuffer(bytearray(body[a:b]), dtype=dt).reshape(info["shape"])
    return out


def load_model(model_dir):
    """The BERT of DIR/config.json with DIR/model.safetensors' weights, wrapped in MeanPooled."""
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    model = bert.Bert(config)
    state = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    state.pop("embeddings.position_ids", None)
    model.load_state_dict(state, strict=True)
    return MeanPooled(model)


def token_ids(shift=0):
    i = torch.arange(BATCH * SEQ, dtype=torch.long)
    ids = 1000 + ((i + shift) * 7919) % 29000
    ids[(i % SEQ) == 0] = 101
    return ids.reshape(BATCH, SEQ), torch.ones(BATCH, SEQ, dtype=torch.long)


def export(args):
    os.makedirs(args.dir, exist_ok=True)
    model = bert.Bert(CONFIG)
    init_weights(model, args.seed)
    model.eval()
    with open(os.path.join(args.dir, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    state = list(model.state_dict().items())
    state.insert(3, ("embeddings.position_ids", torch.arange(CONFIG["max_position_embeddings"]).unsqueeze(0)))
    write_safetensors(os.path.join(args.dir, "model.safetensors"), state)
    wrapped = MeanPooled(model).eval()
    ids, mask = token_ids()
    onnx_path = os.path.join(args.dir, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(
            wrapped, (ids, mask), onnx_path, opset_version=14, do_constant_folding=True,
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, "sentence_embedding": {0: "batch"}},
        )
        reference = wrapped(ids, mask)
    emit({"exported": {
        "dir": args.dir, "torch": torch.__version__, "onnx_opset": 14,
        "params": sum(p.numel() for n, p in model.named_parameters() if not n.startswith("pooler.")),
        "files": sorted(os.listdir(args.dir)),
        # First row of the mean-pooled output for 32 x 64 tokens (token_ids()): a cross-check.
        "embedding_row0_head": [round(float(x), 6) for x in reference[0, :8]],
    }})


class Runner:
    def __init__(self, model_dir, threads):
        torch.set_num_threads(threads)
        self.model = load_model(model_dir)
        self.params = sum(p.numel() for n, p in self.model.named_parameters() if ".pooler." not in n)
        trainable = [p for n, p in self.model.named_parameters() if ".pooler." not in n]
        self.opt = torch.optim.AdamW(trainable, lr=LR, weight_decay=WEIGHT_DECAY)
        self.anchor = token_ids(0)
        self.positive = token_ids(17)
        self.labels = torch.arange(BATCH)

    def step(self):
        self.model.train()
        t = time.perf_counter()
        a = self.model(*self.anchor)
        p = self.model(*self.positive)
        scores = F.normalize(a, dim=1) @ F.normalize(p, dim=1).t() * SCALE
        loss = F.cross_entropy(scores, self.labels)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        value = float(loss)
        return (time.perf_counter() - t) * 1000, value

    def infer(self):
        self.model.eval()
        t = time.perf_counter()
        with torch.no_grad():
            out = self.model(*self.anchor)
        ms = (time.perf_counter() - t) * 1000
        return ms, [float(x) for x in out[0, :8]]


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def loaded_blas():
    names = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                base = parts[-1].rsplit("/", 1)[-1] if len(parts) >= 6 else ""
                if any(k in base for k in ("blas", "mkl", "lapack", "blis")):
                    names.add(parts[-1])
    except OSError:
        pass
    return sorted(names)


def mm_gflops():
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    ts = []
    for _ in range(10):
        t = time.perf_counter()
        a @ b
        ts.append(time.perf_counter() - t)
    return 2 * 1024 ** 3 / median(ts) / 1e9


def bench(args):
    r = Runner(args.model, args.threads)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "params": r.params}
    for name, fn in (("step", r.step), ("infer", r.infer)):
        for _ in range(args.warmup):
            fn()
        samples = [fn()[0] for _ in range(args.reps)]
        out[name] = {"median_ms": median(samples), "min_ms": min(samples), "max_ms": max(samples), "samples_ms": samples}
    emit({"result": out})


def serve(args):
    r = Runner(args.model, args.threads)
    emit({"ready": {"torch": torch.__version__, "threads": torch.get_num_threads(), "params": r.params,
                    "blas": loaded_blas(), "mm_gflops": mm_gflops()}})
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        if cmd not in ("step", "infer"):
            emit({"error": f"unknown command {cmd!r}"})
            continue
        ms, value = (r.step if cmd == "step" else r.infer)()
        emit({"ms": ms, "value": value})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    e = sub.add_parser("export")
    e.add_argument("dir")
    e.add_argument("--seed", type=int, default=1)
    for name in ("bench", "serve"):
        s = sub.add_parser(name)
        s.add_argument("--model", required=True)
        s.add_argument("--threads", type=int, default=2)
        if name == "bench":
            s.add_argument("--warmup", type=int, default=2)
            s.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    {"export": export, "bench": bench, "serve": serve}[args.mode](args)


if __name__ == "__main__":
    main()
