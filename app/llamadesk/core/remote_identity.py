"""What a model on a server is: which model, at which quantization level.

A server's `/v1/models` gives an id, which is often just a name the server's owner chose.
The quant arena needs more: to duel a remote model against your local levels it must know
that "qwen3-32b" on the GPU machine is Qwen3-32B at F16. The user says so (a declaration),
or the server does:

- llama-server names the model by its GGUF file ("Qwen3-32B-Q4_K_M.gguf") unless given an
  alias, and its `/v1/models` entry carries `meta.ftype` ("Q4_K - Medium"); its `/props`
  gives `model_path` even behind an alias;
- llama-cpp-python's server names it by the path it was given (`--model`), unless
  `--model_alias` is set;
- Ollama's tags often end in the level ("qwen3:8b-q4_K_M", "llama3.1:8b-instruct-fp16");
- vLLM serves a Hugging Face checkpoint by its repository name ("Qwen/Qwen3-8B"): the id
  names no level (BF16 usually, but AWQ or FP8 checkpoints look the same), so it must be
  declared.

What the server says is a guess the user can correct; nothing is inferred without a level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from llamadesk.core.quantize import model_stem
from llamadesk.core.quants import quant_label_from_filename, quant_level

Source = Literal["declared", "server"]

# llama.cpp's `llama_ftype_name` sizes: "Q4_K - Medium" is Q4_K_M.
_SIZES = {"Small": "S", "Medium": "M", "Large": "L"}


@dataclass(frozen=True)
class RemoteIdentity:
    """A remote model's identity for the arena.

    Args:
        model_id: the model's id on its server.
        model: the model it is, as the arena names models (a local file's name without its
            level: "SmolLM2-135M-Instruct").
        level: its quantization level ("F16", "Q4_K_M").
        reference: the user wants it as the reference its model's other levels are judged
            against (a remote F16 against local quantizations, say).
        source: "declared" by the user, or read from what the "server" said.
    """

    model_id: str
    model: str
    level: str
    reference: bool = False
    source: Source = "declared"


def level_from_ftype(ftype: str) -> str:
    """llama.cpp's name of a file type as a level: "Q4_K - Medium" is "Q4_K_M", "all F32"
    is "F32", "MXFP4 MoE" is "MXFP4"; "" for one we do not know."""
    text = ftype.removeprefix("(guessed) ").removeprefix("all ").strip()
    base, _, size = text.partition(" - ")
    name = base.split(" ")[0]
    if size in _SIZES and name != "Q2_K":  # llama.cpp calls plain Q2_K "Q2_K - Medium"
        name = f"{name}_{_SIZES[size]}"
    level = quant_level(name)
    return level.name if level is not None else ""


def infer_identity(model_id: str, ftype: str = "", model_path: str = "") -> RemoteIdentity | None:
    """The identity a server's own words give ``model_id``: the model from its file name
    (``model_path`` from llama-server's /props, else the id itself, an Ollama tag
    included), the level from llama-server's ``ftype`` (what the file holds) or else from
    that name. None when they name no level with known bits per weight."""
    name = PurePosixPath((model_path or model_id).replace("\\", "/")).name.replace(":", "-")
    label = level_from_ftype(ftype) or quant_label_from_filename(name)
    level = quant_level(label) if label else None
    if not name or level is None or level.bits_per_weight is None:
        return None
    model = model_stem(Path(name.removesuffix(".gguf") + ".gguf"))
    return RemoteIdentity(model_id, model, level.name, source="server")


def identity_from_entry(entry: dict[str, Any], model_path: str = "") -> RemoteIdentity | None:
    """`infer_identity` for one entry of `/v1/models` (llama-server adds `meta.ftype`)."""
    meta = entry.get("meta")
    ftype = meta.get("ftype") if isinstance(meta, dict) else None
    return infer_identity(str(entry["id"]), ftype if isinstance(ftype, str) else "", model_path)


def from_json(raw: Any) -> RemoteIdentity | None:
    """An identity as `Connections.save` wrote it (`dataclasses.asdict`); None for anything
    else (a hand-edited file)."""
    if not isinstance(raw, dict):
        return None
    fields = [raw.get(key) for key in ("model_id", "model", "level")]
    if not all(isinstance(value, str) and value for value in fields):
        return None
    level = quant_level(str(raw["level"]))
    if level is None:
        return None
    source: Source = "server" if raw.get("source") == "server" else "declared"
    return RemoteIdentity(
        str(raw["model_id"]), str(raw["model"]), level.name, raw.get("reference") is True, source
    )
