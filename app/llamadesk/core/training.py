"""Teach a model the user's preferences: a LoRA adapter trained on their ratings, as a GGUF.

`training_data` gathers the preference pairs (DPO) or rated answers (KTO) given on a model,
and keeps a few prompts back for the duel that judges the result. `train` runs TRL's trainer
with PEFT in a child process (see `train_child`): a crash or an out-of-memory there ends only
the child, and a cancel kills it. The child saves the adapter, then llama.cpp's own converter
(vendored, see ``vendor/llama_cpp_convert/SOURCE.md``) turns it into a GGUF LoRA, which
llama-cpp-python applies with ``lora_path``. The adapter is written under a temporary name
and given its final name only beside its lineage: the base file, the pairs and the settings.

Nothing here imports the training stack: it is an optional extra (``llamadesk[train]``), and
`missing_stack` says what it would add where it is absent.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import multiprocessing
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Literal, get_args

from llamadesk import __version__
from llamadesk.core import train_child
from llamadesk.core.adapters import ADAPTER_MARK, AdapterLineage, adapter_lineage_path
from llamadesk.core.gguf_info import GGUFError, read_gguf_info
from llamadesk.core.jsonfile import write_json_atomic
from llamadesk.core.model_files import file_sha256
from llamadesk.core.paths import app_paths
from llamadesk.core.preferences import Row, kto_rows, trl_rows
from llamadesk.core.store import Store

Method = Literal["dpo", "kto"]
METHODS: tuple[str, ...] = get_args(Method)

# Fewer examples than this teach nothing but noise; the page and the command say how many
# more are needed.
MIN_EXAMPLES: dict[Method, int] = {"dpo": 4, "kto": 4}
# A quantization level at the end of a file name: ".Q4_1", "-Q4_K_M", "_IQ2_XS", ".f16".
_QUANT_SUFFIX = re.compile(r"[.\-_](?:I?Q\d\w*|B?F16|F32)$", re.IGNORECASE)
# One prompt in five (at least one) is kept out of training for the duel against the base.
HELD_OUT_SHARE = 0.2
# The Python packages training imports, by the name the user knows them by.
STACK = {"torch": "PyTorch", "transformers": "transformers", "trl": "TRL", "peft": "PEFT"}
INSTALL_HINT = 'pip install "llamadesk[train]"'
# transformers dequantizes GGUF files of these architectures (general.architecture) into its
# own models; llama.cpp's converter maps the adapter back. Others are refused up front.
TRAINABLE_ARCHITECTURES = frozenset({"llama", "mistral", "qwen2", "qwen3"})

_POLL_SECONDS = 0.1
_KILL_WAIT_SECONDS = 10.0
_MAX_QUOTED = 300


class TrainError(Exception):
    """Training cannot start or did not finish; the message is one sentence for the user."""


class TrainCancelled(Exception):
    """The run was cancelled; no adapter was left behind."""


@dataclass(frozen=True)
class TrainSettings:
    """How to train. The defaults suit a laptop's CPU and a model of up to a few billion
    weights: a small adapter on the attention projections, one example at a time, short
    sequences, and a learning rate that moves a LoRA within a hundred steps.

    Args:
        method: "dpo" (pairs) or "kto" (thumbs).
        steps: optimizer steps; 0 means two passes over the examples.
        learning_rate: AdamW's step size.
        beta: how far from the base model the preference loss lets the tuned one go
            (smaller: further).
        lora_rank: the adapter's rank (its size grows with it).
        lora_alpha: the adapter's scale, alpha / rank times its product.
        max_length: tokens of prompt and answer together; longer ones are cut.
        batch_size: examples per step.
        seed: for the adapter's initial weights and the order of the examples.
    """

    method: Method = "dpo"
    steps: int = 0
    learning_rate: float = 5e-5
    beta: float = 0.1
    lora_rank: int = 8
    lora_alpha: int = 16
    max_length: int = 512
    batch_size: int = 1
    seed: int = 0

    def resolved_steps(self, examples: int) -> int:
        """The number of steps to run on ``examples`` examples."""
        if self.steps > 0:
            return self.steps
        return max(1, 2 * -(-examples // self.batch_size))


@dataclass(frozen=True)
class TrainData:
    """The examples to train on, and the prompts kept back for the duel.

    ``held_out`` are prompts (each a list of chat turns) of which no example is trained on.
    """

    method: Method
    rows: list[Row]
    held_out: list[list[dict[str, str]]] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [str(row.get("id", "")) for row in self.rows]


@dataclass(frozen=True)
class TrainProgress:
    """One step done: ``loss`` is the training loss at it (NaN where none was logged)."""

    step: int
    total: int
    loss: float
    elapsed: float  # seconds since training (not loading) began

    @property
    def eta(self) -> float:
        """Seconds left at the pace so far."""
        return self.elapsed / max(self.step, 1) * (self.total - self.step)


@dataclass(frozen=True)
class TrainResult:
    """A finished run: the adapter GGUF and its lineage."""

    path: Path
    size: int
    lineage: AdapterLineage


ProgressCallback = Callable[[TrainProgress], None]
StatusCallback = Callable[[str], None]


def missing_stack() -> str:
    """ "" where training can run; else one sentence on what the extra adds and how to get it."""
    absent = [name for module, name in STACK.items() if importlib.util.find_spec(module) is None]
    if not absent:
        return ""
    return (
        f"Training needs the optional training stack, which is not installed "
        f"(missing: {', '.join(absent)}). It adds PyTorch, transformers, TRL, PEFT and "
        f"accelerate, about 1 GB with the CPU build of PyTorch: {INSTALL_HINT}"
    )


def training_data(store: Store, model: Path, method: Method) -> TrainData:
    """The examples rated on ``model`` or its family (ratings of any file whose name shares
    its stem, e.g. other quantizations), with some prompts held out for the duel."""
    family = _family(model)
    rows = (trl_rows if method == "dpo" else kto_rows)(store, model=family)
    return split_held_out(method, rows)


def _family(model: Path) -> str:
    """The part of a model's file name that its quantizations share: "SmolLM2-135M-Instruct"
    for "SmolLM2-135M-Instruct.Q4_1.gguf" or "-Q4_K_M.gguf" (the store names models by file
    name, and the filter matches a part of it)."""
    return _QUANT_SUFFIX.sub("", model.name.removesuffix(".gguf"))


def split_held_out(method: Method, rows: Sequence[Row]) -> TrainData:
    """Keep one prompt in five (at least one, where there are two or more) out of training.

    Which prompts is decided by a hash of their text, so a retrain on more ratings keeps
    the same ones out.
    """
    prompts = sorted({_prompt_key(row) for row in rows})
    if len(prompts) < 2:
        return TrainData(method, list(rows))
    wanted = max(1, round(len(prompts) * HELD_OUT_SHARE))
    held = set(sorted(prompts, key=_digest)[:wanted])
    train = [row for row in rows if _prompt_key(row) not in held]
    held_out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if _prompt_key(row) in held:
            held_out.setdefault(_prompt_key(row), row["prompt"])
    return TrainData(method, train, list(held_out.values()))


def _prompt_key(row: Row) -> str:
    return "\x00".join(f"{turn['role']}:{turn['content']}" for turn in row["prompt"])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_data(data: TrainData) -> None:
    """Raise `TrainError` where the data cannot teach anything, saying how many more are
    needed."""
    needed = MIN_EXAMPLES[data.method]
    have = len(data.rows)
    noun = "preference pairs" if data.method == "dpo" else "rated answers"
    if have < needed:
        raise TrainError(
            f"Training needs at least {needed} {noun}; there are {have} "
            f"(rate {needed - have} more answers on this model)."
        )
    if data.method == "kto" and len({bool(row["label"]) for row in data.rows}) < 2:
        raise TrainError("KTO needs both thumbs up and thumbs down; rate answers both ways.")


def check_model(model: Path) -> str:
    """The model's architecture, or `TrainError` where transformers cannot train it."""
    try:
        info = read_gguf_info(model)
    except GGUFError as error:
        raise TrainError(str(error)) from error
    if info.architecture not in TRAINABLE_ARCHITECTURES:
        known = ", ".join(sorted(TRAINABLE_ARCHITECTURES))
        raise TrainError(
            f"{model.name} is a {info.architecture} model, which the training stack cannot "
            f"read from a GGUF file (it reads {known})."
        )
    return info.architecture


def default_adapter_path(model: Path) -> Path:
    """In the app's models folder, where the model menu lists it (the model itself may lie
    where nothing should be written, as the starter does in site-packages):
    "<name>.lora-<UTC time>.gguf", never over an earlier adapter."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    name = f"{model.name.removesuffix('.gguf')}{ADAPTER_MARK}{stamp}.gguf"
    return app_paths().ensure().models / name


def train(
    model: Path,
    data: TrainData,
    settings: TrainSettings,
    out: Path | None = None,
    *,
    progress: ProgressCallback | None = None,
    status: StatusCallback | None = None,
    cancel: threading.Event | None = None,
) -> TrainResult:
    """Train an adapter for ``model`` on ``data`` and write it as a GGUF LoRA to ``out``.

    ``progress`` is called (on this thread) after each step; ``status`` with a short phrase
    as the run moves on ("Loading the model", "Converting the adapter"). Setting ``cancel``
    from any thread kills the child within about 0.1 s.

    Like `quantize`, the child is started with "spawn": a script that calls this at its top
    level needs an ``if __name__ == "__main__"`` guard.

    Raises:
        TrainError: the data, the model or the run failed; nothing was left behind.
        TrainCancelled: ``cancel`` was set; nothing was left behind.
    """
    check_data(data)
    check_model(model)
    missing = missing_stack()
    if missing:
        raise TrainError(missing)
    dest = out or default_adapter_path(model)
    if not os.access(dest.parent, os.W_OK):  # found out now, not after minutes of training
        why = "the folder is missing or read-only"
        raise TrainError(f"Cannot write {dest.name} in {dest.parent}: {why}.")
    steps = settings.resolved_steps(len(data.rows))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="llamadesk-train-") as work:
        partial = Path(work) / "adapter.gguf"
        job = train_child.ChildJob(
            model=str(model.resolve()),
            rows=[_training_columns(row, data.method) for row in data.rows],
            settings=asdict(settings),
            steps=steps,
            work_dir=work,
            adapter=str(partial),
            stderr_path=str(Path(work) / "stderr.log"),
        )
        losses = _run_child(job, progress or (lambda _p: None), status or (lambda _s: None), cancel)
        lineage = _lineage(model, data, settings, steps, losses, time.perf_counter() - started)
        _install(partial, dest, lineage)
    return TrainResult(dest, dest.stat().st_size, lineage)


def _training_columns(row: Row, method: Method) -> Row:
    """Only the columns TRL reads: the export's others (ids, params) would be passed on."""
    keys = ("chosen", "rejected") if method == "dpo" else ("completion", "label")
    return {"prompt": row["prompt"], **{key: row[key] for key in keys}}


def _run_child(
    job: train_child.ChildJob,
    progress: ProgressCallback,
    status: StatusCallback,
    cancel: threading.Event | None,
) -> list[float]:
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    Path(job.stderr_path).touch()
    child = context.Process(
        target=train_child.run, args=(writer, job), name="llamadesk-train", daemon=True
    )
    try:
        child.start()
        writer.close()  # the child's copy is its only one: its death reads as end-of-file
        return _follow(reader, job, progress, status, cancel or threading.Event())
    except EOFError:
        raise _crash_error(child, job) from None
    finally:
        reader.close()
        if child.is_alive():
            child.kill()
        child.join(_KILL_WAIT_SECONDS)


def _follow(
    reader: Connection,
    job: train_child.ChildJob,
    progress: ProgressCallback,
    status: StatusCallback,
    cancel: threading.Event,
) -> list[float]:
    """Relay the child's messages until it is done; its losses, or raise."""
    losses: list[float] = []
    while True:
        if cancel.is_set():
            raise TrainCancelled(f"Training on {Path(job.model).name} was cancelled.")
        if not reader.poll(_POLL_SECONDS):
            continue
        kind, value = reader.recv()  # EOFError: the child died without a word
        if kind == "status":
            status(str(value))
        elif kind == "step":
            step, total, loss, elapsed = value
            if math.isfinite(loss):  # the lineage is JSON, which has no NaN
                losses.append(float(loss))
            progress(TrainProgress(int(step), int(total), float(loss), float(elapsed)))
        elif kind == "done":
            return losses
        else:
            raise TrainError(str(value))


def _crash_error(child: BaseProcess, job: train_child.ChildJob) -> TrainError:
    child.join(_KILL_WAIT_SECONDS)
    code = child.exitcode
    lines = Path(job.stderr_path).read_text(encoding="utf-8", errors="replace").split("\n")
    said = next((line.strip() for line in reversed(lines) if line.strip()), "")[:_MAX_QUOTED]
    detail = f": {said}" if said else ""
    if code is not None and code < 0:
        hint = " (the computer may have run out of memory)" if -code == signal.SIGKILL else ""
        crashed = f"Training crashed ({_signal_name(-code)}){hint}{detail}"
        return TrainError(f"{crashed}; nothing was kept.")
    return TrainError(
        f"Training stopped unexpectedly (exit code {code}){detail}; nothing was kept."
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _lineage(
    model: Path,
    data: TrainData,
    settings: TrainSettings,
    steps: int,
    losses: list[float],
    seconds: float,
) -> AdapterLineage:
    stat = model.stat()
    return AdapterLineage(
        base=str(model.resolve()),
        base_size=stat.st_size,
        base_mtime=stat.st_mtime,
        method=settings.method,
        settings={**asdict(settings), "steps": steps},
        examples=data.ids,
        held_out=data.held_out,
        losses=losses,
        seconds=round(seconds, 1),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        llamadesk_version=__version__,
        base_sha256=file_sha256(model),
    )


def _install(partial: Path, dest: Path, lineage: AdapterLineage) -> None:
    """Write the lineage, then move the adapter into place; neither stays without the other."""
    lineage_file = adapter_lineage_path(dest)
    try:
        write_json_atomic(lineage_file, asdict(lineage))
        # Across file systems (the temporary folder may be elsewhere): copy, then rename.
        staged = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
        staged.write_bytes(partial.read_bytes())
        os.replace(staged, dest)
    except OSError as error:
        lineage_file.unlink(missing_ok=True)
        raise TrainError(f"Cannot write {dest}: {error.strerror or error}") from error
