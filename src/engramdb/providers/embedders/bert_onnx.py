"""Write a BERT encoder's ONNX graph from its safetensors weights, with numpy and ``onnx`` only.

The graph is the Hugging Face ``BertModel`` forward pass (absolute positions, post-layer-norm,
exact GELU) returning the last hidden state, so no torch is needed to run the local model.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_safetensors", "write_bert_onnx"]

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
_OPSET = 17  # LayerNormalization


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file (8-byte header length, JSON header, data)."""
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    data = memoryview(raw)[8 + length :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=_DTYPES[spec["dtype"]])
        tensors[name] = array.reshape(spec["shape"])
    return tensors


def write_bert_onnx(model_dir: Path, target: Path) -> None:
    """The encoder of ``model_dir`` (``config.json``, ``model.safetensors``) as ONNX.

    Inputs ``input_ids``, ``attention_mask``, ``token_type_ids`` (int64, batch x tokens);
    output ``last_hidden_state`` (float32, batch x tokens x hidden).
    """
    import onnx
    from onnx import TensorProto, helper

    config = json.loads((model_dir / "config.json").read_text())
    graph = _Graph(read_safetensors(model_dir / "model.safetensors"), config)
    hidden = graph.embeddings()
    bias = graph.attention_bias()
    for layer in range(int(config["num_hidden_layers"])):
        hidden = graph.layer(layer, hidden, bias)
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
        for name in ("input_ids", "attention_mask", "token_type_ids")
    ]
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", int(config["hidden_size"])]
    )
    graph.nodes.append(helper.make_node("Identity", [hidden], ["last_hidden_state"]))
    model = helper.make_model(
        helper.make_graph(graph.nodes, "bert", inputs, [output], graph.initializers),
        opset_imports=[helper.make_opsetid("", _OPSET)],
        producer_name="engramdb",
    )
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


class _Graph:
    """Nodes and initializers of the graph being written; each method returns its output."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.weights = {k.removeprefix("bert."): v for k, v in weights.items()}
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def _name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value: np.ndarray, hint: str = "c") -> str:
        name = self._name(hint)
        self.initializers.append(self.numpy_helper.from_array(value, name))
        return name

    def op(self, kind: str, *inputs: str, **attributes: Any) -> str:
        out = self._name(kind.lower())
        self.nodes.append(self.helper.make_node(kind, list(inputs), [out], **attributes))
        return out

    def weight(self, name: str, transpose: bool = False) -> str:
        value = self.weights[name].astype(np.float32)
        return self.const(np.ascontiguousarray(value.T if transpose else value), name)

    def linear(self, x: str, prefix: str) -> str:
        product = self.op("MatMul", x, self.weight(f"{prefix}.weight", transpose=True))
        return self.op("Add", product, self.weight(f"{prefix}.bias"))

    def layer_norm(self, x: str, prefix: str) -> str:
        return self.op(
            "LayerNormalization", x, self.weight(f"{prefix}.weight"),
            self.weight(f"{prefix}.bias"), axis=-1, epsilon=self.eps,
        )  # fmt: skip

    def embeddings(self) -> str:
        tokens = self.op("Gather", self.weight("embeddings.word_embeddings.weight"), "input_ids")
        kinds = self.op(
            "Gather", self.weight("embeddings.token_type_embeddings.weight"), "token_type_ids"
        )
        length = self.op(
            "Gather", self.op("Shape", "input_ids"), self.const(np.array(1, dtype=np.int64))
        )
        zero, one = self.const(np.array(0, np.int64)), self.const(np.array(1, np.int64))
        positions = self.op("Range", zero, length, one)
        where = self.op("Gather", self.weight("embeddings.position_embeddings.weight"), positions)
        summed = self.op("Add", self.op("Add", tokens, kinds), where)
        return self.layer_norm(summed, "embeddings.LayerNorm")

    def attention_bias(self) -> str:
        """0 where a token may be attended to, a large negative number where it is padding."""
        mask = self.op("Cast", "attention_mask", to=1)  # float
        mask = self.op("Unsqueeze", mask, self.const(np.array([1, 2], dtype=np.int64)))
        ones = self.const(np.array(1.0, dtype=np.float32))
        low = self.const(np.array(np.finfo(np.float32).min, dtype=np.float32))
        return self.op("Mul", self.op("Sub", ones, mask), low)

    def heads_of(self, x: str) -> str:
        """Batch x tokens x hidden -> batch x heads x tokens x head size."""
        shape = self.const(np.array([0, 0, self.heads, self.hidden // self.heads], np.int64))
        return self.op("Transpose", self.op("Reshape", x, shape), perm=[0, 2, 1, 3])

    def layer(self, number: int, x: str, bias: str) -> str:
        prefix = f"encoder.layer.{number}"
        query = self.heads_of(self.linear(x, f"{prefix}.attention.self.query"))
        key = self.heads_of(self.linear(x, f"{prefix}.attention.self.key"))
        value = self.heads_of(self.linear(x, f"{prefix}.attention.self.value"))
        scale = self.const(np.array(np.sqrt(self.hidden // self.heads), dtype=np.float32))
        keys_t = self.op("Transpose", key, perm=[0, 1, 3, 2])
        scores = self.op("Div", self.op("MatMul", query, keys_t), scale)
        probs = self.op("Softmax", self.op("Add", scores, bias), axis=-1)
        context = self.op("Transpose", self.op("MatMul", probs, value), perm=[0, 2, 1, 3])
        merged = self.op("Reshape", context, self.const(np.array([0, 0, self.hidden], np.int64)))
        attended = self.linear(merged, f"{prefix}.attention.output.dense")
        x = self.layer_norm(self.op("Add", attended, x), f"{prefix}.attention.output.LayerNorm")
        inner = self.linear(x, f"{prefix}.intermediate.dense")
        inner = self._gelu(inner)
        out = self.linear(inner, f"{prefix}.output.dense")
        return self.layer_norm(self.op("Add", out, x), f"{prefix}.output.LayerNorm")

    def _gelu(self, x: str) -> str:
        """The exact GELU: x * (1 + erf(x / sqrt 2)) / 2."""
        root2 = self.const(np.array(np.sqrt(2.0), dtype=np.float32))
        half = self.const(np.array(0.5, dtype=np.float32))
        one = self.const(np.array(1.0, dtype=np.float32))
        erf = self.op("Erf", self.op("Div", x, root2))
        return self.op("Mul", self.op("Mul", x, self.op("Add", erf, one)), half)
