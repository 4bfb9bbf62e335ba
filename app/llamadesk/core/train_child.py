"""The part of training that runs in a child process: TRL and PEFT, then llama.cpp's converter.

`training.train` starts `run` in a process of its own, so that a cancel can kill it and a
crash or an out-of-memory in PyTorch cannot take the app down. The child tells the parent how
far it got over a one-way pipe:

- ``("status", phrase)``: what it is doing now ("Loading the model", ...);
- ``("step", (step, total, loss, seconds))``: a step done, the loss at it (NaN if none was
  logged), seconds since training began;
- ``("done", None)``: the adapter GGUF is written and loads in llama.cpp;
- ``("failed", message)``: a sentence for the user.

A child that ends without "done" or "failed" crashed; the parent reads its exit status and
the last line of its standard error.

Nothing here imports the training stack at module level: the parent imports this module only
to name `run` as the child's entry point.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# llama.cpp's converter, vendored unchanged (see its SOURCE.md).
CONVERTER = Path(__file__).parent.parent / "vendor" / "llama_cpp_convert"
# Test hook: when set, the child aborts (SIGABRT) as it starts loading, as a crashing PyTorch
# would. tests/test_training.py sets it; nothing else should.
ABORT_FOR_TEST_ENV = "LLAMADESK_TEST_TRAIN_ABORT"
# The attention projections: what LoRA adapts by default (Hu et al. 2021), and what
# llama.cpp's converter maps for every architecture we train.
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj"]
_CHECK_CONTEXT = 64  # tokens: a context as small as any, to check the adapter applies


@dataclass(frozen=True)
class ChildJob:
    """What the child is to do. Plain values: it is pickled to the child.

    Args:
        model: the base GGUF file.
        rows: the examples, in TRL's conversational format.
        settings: `training.TrainSettings` as a dict.
        steps: optimizer steps to run.
        work_dir: a folder for the child's scratch files (removed by the parent).
        adapter: where to write the GGUF LoRA.
        stderr_path: a file to take the child's standard error.
    """

    model: str
    rows: list[dict[str, Any]]
    settings: dict[str, Any]
    steps: int
    work_dir: str
    adapter: str
    stderr_path: str


class ChildFailure(Exception):
    """A failure with a sentence for the user."""


def run(conn: Connection, job: ChildJob) -> None:
    """The child's entry point: load, train, save, convert, check; say how it went."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent owns Ctrl-C and kills us
    _redirect_output(job.stderr_path)
    with conn:
        try:
            _train_and_convert(conn, job)
        except ChildFailure as failure:
            conn.send(("failed", str(failure)))
            return
        except MemoryError:
            conn.send(("failed", "Training ran out of memory; try a shorter maximum length."))
            return
        except Exception as error:  # the stack's own refusals; the traceback goes to stderr
            traceback.print_exc()
            conn.send(("failed", f"Training failed: {type(error).__name__}: {error}"))
            return
        conn.send(("done", None))


def _redirect_output(path: str) -> None:
    """Both standard streams to the log: the trainer prints its log lines to stdout, which a
    script reading `llamadesk train`'s output (the adapter's path) must not see."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def _train_and_convert(conn: Connection, job: ChildJob) -> None:
    conn.send(("status", "Loading the model"))
    if os.environ.get(ABORT_FOR_TEST_ENV):
        os.abort()
    model, tokenizer = _load(job.model)
    work = Path(job.work_dir)
    # All the converter needs of the base: its config, which names the architecture it maps.
    model.config.architectures = [type(model).__name__]
    model.config.save_pretrained(work / "base")
    conn.send(("status", "Training"))
    trainer = _trainer(conn, job, model, tokenizer)
    trainer.train()
    conn.send(("status", "Converting the adapter"))
    trainer.model.save_pretrained(work / "adapter")
    _convert(work / "base", work / "adapter", Path(job.adapter), job.stderr_path)
    conn.send(("status", "Checking the adapter loads"))
    _check_loads(job.model, job.adapter)


def _load(model_path: str) -> tuple[Any, Any]:
    """The base model in float32 (dequantized by transformers) and its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(model_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32
        )
    except (ValueError, RuntimeError, OSError) as error:
        raise ChildFailure(f"transformers cannot read {path.name}: {error}") from error
    # transformers marks a model read from GGUF as quantized (and so untrainable), though it
    # holds plain float32 weights: the GGUF blocks were dequantized as they were read.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _trainer(conn: Connection, job: ChildJob, model: Any, tokenizer: Any) -> Any:
    import torch
    from datasets import Dataset
    from peft import LoraConfig

    settings = job.settings
    peft_config = LoraConfig(
        r=settings["lora_rank"],
        lora_alpha=settings["lora_alpha"],
        lora_dropout=0.0,
        target_modules=TARGET_MODULES,
        task_type="CAUSAL_LM",
    )
    common: dict[str, Any] = {
        "output_dir": str(Path(job.work_dir) / "trainer"),
        "max_steps": job.steps,
        # KTO's KL estimate pairs each answer with another example's prompt: TRL refuses a
        # batch of one.
        "per_device_train_batch_size": max(
            settings["batch_size"], 2 if settings["method"] == "kto" else 1
        ),
        "learning_rate": settings["learning_rate"],
        "beta": settings["beta"],
        "max_length": settings["max_length"],
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": [],
        "seed": settings["seed"],
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        # float32 throughout: CPUs (and the checks in TRL) refuse bf16 by default.
        "bf16": False,
        # One short example a step needs little memory for activations; recomputing them
        # (TRL's default) would cost a third more time for nothing.
        "gradient_checkpointing": False,
        "use_cpu": not torch.cuda.is_available(),
    }
    dataset = Dataset.from_list(job.rows)
    if settings["method"] == "dpo":
        from trl import DPOConfig, DPOTrainer

        trainer_class, args = DPOTrainer, DPOConfig(**common)
    else:
        from trl import KTOConfig, KTOTrainer

        trainer_class, args = KTOTrainer, KTOConfig(**common)
    return trainer_class(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=[_progress_callback(conn, job)],
    )


def _progress_callback(conn: Connection, job: ChildJob) -> Any:
    from transformers import TrainerCallback

    class Progress(TrainerCallback):  # type: ignore[misc]
        """Sends each step's loss as the trainer logs it; stops when the app is gone."""

        def __init__(self) -> None:
            self.started = time.perf_counter()

        def on_step_end(self, _args: Any, _state: Any, _control: Any, **_kwargs: Any) -> None:
            parent = multiprocessing.parent_process()
            if parent is not None and not parent.is_alive():
                os._exit(1)  # the app died without stopping us

        def on_log(self, _args: Any, state: Any, _control: Any, **kwargs: Any) -> None:
            # logging_steps=1: the trainer logs after every step, once the loss is known
            # (on_step_end comes before it); the run's summary at the end has no "loss".
            logs = kwargs.get("logs") or {}
            if "loss" in logs:
                elapsed = time.perf_counter() - self.started
                step = (state.global_step, job.steps, float(logs["loss"]), elapsed)
                conn.send(("step", step))

    return Progress()


def _convert(base: Path, adapter_dir: Path, out: Path, stderr_path: str) -> None:
    """llama.cpp's convert_lora_to_gguf.py, in a Python of its own (it configures logging
    and may call sys.exit), with the vendored folder first on its path."""
    environment = {**os.environ, "PYTHONPATH": str(CONVERTER), "HF_HUB_OFFLINE": "1"}
    command = [
        sys.executable,
        str(CONVERTER / "convert_lora_to_gguf.py"),
        "--base",
        str(base),
        "--outfile",
        str(out),
        "--outtype",
        "f16",
        str(adapter_dir),
    ]
    with open(stderr_path, "a", encoding="utf-8") as log:
        result = subprocess.run(
            command, stdout=log, stderr=subprocess.PIPE, text=True, env=environment, check=False
        )
        log.write(result.stderr)
    if result.returncode != 0 or not out.is_file():
        said = next((line for line in reversed(result.stderr.splitlines()) if line.strip()), "")
        raise ChildFailure(f"llama.cpp's converter could not convert the adapter: {said.strip()}")


def _check_loads(model: str, adapter: str) -> None:
    """Load the base with the adapter in llama.cpp, as the app will."""
    from llama_cpp import Llama

    try:
        with contextlib.closing(
            Llama(model, lora_path=adapter, n_ctx=_CHECK_CONTEXT, verbose=False)
        ):
            pass
    except (ValueError, RuntimeError) as error:
        raise ChildFailure(f"The converted adapter does not load in llama.cpp: {error}") from error
