#!/usr/bin/python3
"""Golden outputs of a tiny random BERT, written literally in PyTorch (no `transformers` package).

Writes test/fixtures/bert-tiny/:
  config.json        HF BertConfig of the model
  model.safetensors  its BertModel state dict (HF names, Linear weights [out, in]), the format
                     written by hand (8-byte little-endian header length, JSON header, F32 data),
                     plus the `embeddings.position_ids` I64 buffer older checkpoints carry
  golden.json        input_ids / attention_mask (padded) and, in eval mode, last_hidden_state,
                     pooler_output (BertPooler: tanh(dense(h[:, 0]))) and mean-pooled output
                     (sentence-transformers' mean over the mask)

The modules follow HF transformers' modeling_bert.py (BertEmbeddings, BertSelfAttention with the
additive mask (1 - mask) * finfo(float32).min, BertSelfOutput, BertIntermediate with exact erf GELU,
BertOutput, BertPooler). Run with Debian's torch: `apt-get install -y python3-torch`, then
`/usr/bin/python3 bench/bert-golden.py` from the repository root.
"""
import json
import math
import os
import struct

import torch
from torch import nn

CONFIG = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    "vocab_size": 100,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "max_position_embeddings": 32,
    "type_vocab_size": 2,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "position_embedding_type": "absolute",
    "pad_token_id": 0,
}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "bert-tiny")


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, input_ids, token_type_ids):
        L = input_ids.shape[1]
        pos = torch.arange(L, dtype=torch.long).unsqueeze(0)
        e = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(pos)
        return self.dropout(self.LayerNorm(e))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h = c["num_attention_heads"]
        self.d = c["hidden_size"] // self.h
        H = c["hidden_size"]
        self.query = nn.Linear(H, H)
        self.key = nn.Linear(H, H)
        self.value = nn.Linear(H, H)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def split(self, x):
        B, L, _ = x.shape
        return x.view(B, L, self.h, self.d).permute(0, 2, 1, 3)

    def forward(self, x, ext_mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + ext_mask
        probs = self.dropout(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], self.h * self.d)


class SelfOutput(nn.Module):  # attention.output: dense, dropout, residual, LayerNorm
    def __init__(self, c, din):
        super().__init__()
        self.dense = nn.Linear(din, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, h, residual):
        return self.LayerNorm(self.dropout(self.dense(h)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))
        self.output = SelfOutput(c, c["hidden_size"])

    def forward(self, x, ext_mask):
        return self.output(getattr(self, "self")(x, ext_mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = SelfOutput(c, c["intermediate_size"])  # BertOutput: same structure

    def forward(self, x, ext_mask):
        a = self.attention(x, ext_mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, ext_mask):
        for layer in self.layer:
            x = layer(x, ext_mask)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, input_ids, attention_mask):
        token_type_ids = torch.zeros_like(input_ids)
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        h = self.encoder(self.embeddings(input_ids, token_type_ids), ext)
        return h, self.pooler(h)


def write_safetensors(path, tensors):
    """tensors: list of (name, torch tensor) -> F32 (or I64) safetensors file."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors:
        t = t.detach().contiguous()
        if t.dtype == torch.float32:
            dtype, raw = "F32", struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        elif t.dtype == torch.int64:
            dtype, raw = "I64", struct.pack("<%dq" % t.numel(), *t.flatten().tolist())
        else:
            raise ValueError(name)
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


def main():
    torch.manual_seed(1234)
    model = Bert(CONFIG)
    # Random weights larger than BERT's init (std 0.02), so every part of the forward matters.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif name.endswith("bias") or "LayerNorm" in name:
                p.copy_(0.1 * torch.randn_like(p))
            elif "embeddings" in name:
                p.copy_(0.5 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) / math.sqrt(p.shape[1]))
    model.eval()

    input_ids = torch.tensor([
        [2, 17, 45, 9, 88, 31, 3, 0, 0, 0],
        [2, 5, 61, 3, 0, 0, 0, 0, 0, 0],
        [2, 99, 12, 40, 73, 28, 56, 11, 64, 3],
    ], dtype=torch.long)
    attention_mask = (input_ids != 0).to(torch.long)
    with torch.no_grad():
        hidden, pooled = model(input_ids, attention_mask)
        m = attention_mask.unsqueeze(-1).to(torch.float32)
        mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    state = [(k, v) for k, v in model.state_dict().items()]
    state.insert(3, ("embeddings.position_ids", torch.arange(CONFIG["max_position_embeddings"]).unsqueeze(0)))
    write_safetensors(os.path.join(OUT, "model.safetensors"), state)
    r = lambda t: [[round(float(x), 7) for x in row] for row in t.tolist()] if t.dim() == 2 else [r(s) for s in t]
    golden = {
        "source": "bench/bert-golden.py, torch %s, float32, eval mode" % torch.__version__,
        "input_ids": input_ids.tolist(),
        "attention_mask": attention_mask.tolist(),
        "last_hidden_state": r(hidden),
        "pooler_output": r(pooled),
        "mean_pooled": r(mean),
    }
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, "torch", torch.__version__)


if __name__ == "__main__":
    main()
