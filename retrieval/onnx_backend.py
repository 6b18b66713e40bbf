"""ONNX Runtime encoder for BERT-style sentence-transformers models (mean pooling, normalized).

Why: answering a question then needs only onnxruntime and tokenizers (under a second to import,
against ~7 s for torch + transformers), and encodes faster on the CPU. The ONNX file is exported
once from the local model folder (torch is only needed for that) and cached; the int8 variant is
made with ONNX Runtime's dynamic quantization.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import onnxruntime as ort
    from tokenizers import Tokenizer

ONNX_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"


def export(model_dir: str, out_dir: Path, quantize: bool) -> Path:
    """Write `model.onnx` (and `model-int8.onnx` when `quantize`) for the model in `model_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = out_dir / ONNX_FILE
    if not fp32.exists():
        import torch
        from transformers import AutoModel

        bert = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()

        class Encoder(torch.nn.Module):
            """Plain positional inputs, one output: what the ONNX graph should look like."""

            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.bert(
                    input_ids=input_ids, attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state  # fmt: skip

        dummy = {
            "input_ids": torch.ones(1, 8, dtype=torch.long),
            "attention_mask": torch.ones(1, 8, dtype=torch.long),
            "token_type_ids": torch.zeros(1, 8, dtype=torch.long),
        }
        axes = {0: "batch", 1: "tokens"}
        tmp = out_dir / f".{ONNX_FILE}.{os.getpid()}"
        # The exporter warns about the Python branches it traces through and opset details: notes
        # for model authors, noise for someone running the demo (the vectors are tested equal).
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Encoder().eval(),
                tuple(dummy.values()),
                str(tmp),
                input_names=list(dummy),
                output_names=["last_hidden_state"],
                dynamic_axes={**dict.fromkeys(dummy, axes), "last_hidden_state": axes},
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, fp32)
    if not quantize:
        return fp32
    int8 = out_dir / INT8_FILE
    if not int8.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = out_dir / f".{INT8_FILE}.{os.getpid()}"
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, int8)
    return int8


def session(onnx_path: Path, threads: int = 0) -> ort.InferenceSession:
    """A CPU session of `threads` threads (default: every core) whose idle threads do not spin
    after a run: on 2 cores spinning starves the ranking work that follows every query encode
    (search p50 34 -> 20 ms; README, Performance). Both models' sessions are made here."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or (os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])


class OnnxEncoder:
    """Same contract as the torch path: normalized float32 vectors of mean-pooled tokens."""

    def __init__(self, onnx_path: Path, model_dir: str, max_tokens: int, threads: int = 0) -> None:
        self.tokenizer = load_tokenizer(model_dir)
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding()
        self.session = session(onnx_path, threads)
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        parts: dict[int, np.ndarray] = {}
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
            }
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for i, vec in zip(idx, pooled, strict=True):
                parts[i] = vec
        if parts:
            out = np.stack([parts[i] for i in range(len(texts))])
        return np.ascontiguousarray(out, dtype=np.float32)


def load_tokenizer(model_dir: str) -> Tokenizer:
    """The model's fast tokenizer with its saved truncation and padding switched off (chunking
    counts whole texts). Read straight from tokenizer.json when there is one: importing
    transformers for it costs seconds, and pulls in torch."""
    from tokenizers import Tokenizer

    path = Path(model_dir) / "tokenizer.json"
    if path.is_file():
        tokenizer = Tokenizer.from_file(str(path))
    else:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(model_dir).backend_tokenizer
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def max_tokens_of(model_dir: str, default: int = 256) -> int:
    """The model's window from its sentence-transformers config (no torch import needed)."""
    try:
        cfg = json.loads((Path(model_dir) / "sentence_bert_config.json").read_text("utf-8"))
        return int(cfg.get("max_seq_length", default))
    except (OSError, ValueError):
        return default
