"""How fast a model answers three ways, to show what the app adds on top of llama.cpp.

- ``raw``: a plain llama-cpp-python streaming loop,
  ``llama.create_completion(prompt_tokens, stream=True, temperature=0, max_tokens=N)``;
- ``engine``: the app's `Engine.stream`, which decodes the tokens of ``Llama.generate`` itself
  instead of using llama-cpp-python's streaming code (engine.py says why);
- ``gui``: the whole app: main window, model thread, signals, chat view (``ui/bench.py``; this
  module has no Qt, so the GUI path is handed in);
- ``cpp``: llama.cpp's own ``llama-bench`` (token generation, ``-p 0 -n N``), built from the
  llama.cpp that llama-cpp-python vendors by ``benchmarks/cpp_bench.py`` (not by the app); where
  it has not been built, the row is null. No Python at all, and no sampling: the floor against
  which the other paths' overhead per token is reported, in milliseconds.

Every path loads the model once with the same context length and threads and answers the same
prompt greedily once to warm up (discarded). Then the paths take turns, ``runs`` rounds of
plain, engine, GUI: whatever the machine does meanwhile falls on all three alike, and each
round's ratio to its own plain-loop run cancels the drift between rounds. Figures are medians;
each ratio also comes with its interquartile range and a bootstrap interval for its median,
which say whether ``runs`` rounds can tell a target met from one missed. All paths call
llama.cpp from one thread (the GUI's model thread; see `run_bench`), one answer at a time.

Tokens per second counts the tokens after the first over the time after the first text, as
llama-bench's generation figure and `AnswerStats` do. Time to first token runs from the request
to the first text. From the second answer on, llama-cpp-python reuses the prompt's KV cache
(the prompt is the same), so time to first token is mostly one decode step: where the app's
own overhead would show most plainly.
"""

from __future__ import annotations

import math
import os
import queue
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, cast

from llamadesk.core.engine import ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.gguf_info import read_gguf_info

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_types import CreateCompletionStreamResponse

T = TypeVar("T")

BENCH_PROMPT = "Write a short story about a llama who learns to program computers."
PATH_NAMES = ("raw", "engine", "gui")
LLAMA_BENCH_ENV = "LLAMADESK_LLAMA_BENCH"  # a llama-bench binary to use instead of the cache
CPP_TIMEOUT_S = 600
# Issue 12's targets, as the report's verdicts read them.
TARGET_RATIOS = {"engine": 0.99, "gui": 0.98}  # of the plain loop's tokens per second
TARGET_GUI_TTFT_DELTA_MS = 10.0  # the GUI's first text at most this much after the plain loop's
TARGET_STALL_P99_MS = 16.0  # the GUI's event loop
BOOTSTRAP_SAMPLES = 2000
# Below this many rounds a bootstrap interval is little more than the range of the values:
# no verdict but "unresolved".
MIN_ROUNDS_FOR_VERDICT = 5


class BenchError(Exception):
    """The benchmark could not run; the message is one sentence for the user."""


@dataclass(frozen=True)
class BenchConfig:
    """What every path runs with.

    Args:
        model: the GGUF file.
        max_tokens: tokens to generate per answer.
        n_threads: llama.cpp threads; 0 takes the app's default for the model.
        n_ctx: context length; 0 takes the app's default for the model.
        runs: measured answers per path, after one warm-up answer.
        prompt: the user message, the same for every answer.
        n_gpu_layers: layers offloaded to a GPU backend (-1 all; CPU builds ignore it).
    """

    model: Path
    max_tokens: int = 128
    n_threads: int = 0
    n_ctx: int = 0
    runs: int = 3
    prompt: str = BENCH_PROMPT
    n_gpu_layers: int = 0

    def load_settings(self) -> LoadSettings:
        return LoadSettings(
            n_ctx=self.n_ctx, n_threads=self.n_threads, n_gpu_layers=self.n_gpu_layers
        )

    def sampling(self) -> SamplingParams:
        """Greedy and without penalties, so every path computes exactly the same tokens."""
        return SamplingParams(
            temperature=0.0, repeat_penalty=1.0, max_tokens=self.max_tokens, seed=0
        )

    def messages(self) -> list[ChatMessage]:
        return [ChatMessage("user", self.prompt)]


@dataclass(frozen=True)
class Run:
    """One measured answer.

    Args:
        text: the answer, to check that the paths did the same work.
        tokens: tokens generated.
        ttft_ms: milliseconds from the request to the first text.
        tokens_per_second: tokens after the first over the time after the first text.
        extra: further figures: CPU time per token (every path: the process's, and that of
            the thread that called llama.cpp, which with one llama.cpp thread is all of its
            computing), the GUI's event-loop stalls.
    """

    text: str
    tokens: int
    ttft_ms: float
    tokens_per_second: float
    extra: Mapping[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        return {
            "tokens_per_second": self.tokens_per_second,
            "ttft_ms": self.ttft_ms,
            "tokens": self.tokens,
            **self.extra,
        }


class OnThread(Protocol):
    """Runs ``work`` on a thread of its own choosing, waits, and returns what it returned (or
    raises what it raised)."""

    def __call__(self, work: Callable[[], T]) -> T: ...


class LoadedPath(NamedTuple):
    """A path with its model loaded: what it was loaded with, and how to get one answer.

    ``compute_on`` is where the path's own model computes, where it has a thread of its own
    (the GUI's model thread): the other paths then answer there too (see `run_bench`).
    """

    settings: LoadSettings
    answer: Callable[[], Run]
    compute_on: OnThread | None = None


# Loads the model for a path on entry and frees it on exit.
BenchPath = Callable[[BenchConfig], AbstractContextManager[LoadedPath]]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PathResult:
    """The runs of one path, and the system load around them (None where unknown)."""

    runs: Sequence[Run]
    load_before: float | None
    load_after: float | None

    def median(self, key: str) -> float:
        return statistics.median(run.figures()[key] for run in self.runs)

    def as_dict(self) -> dict[str, Any]:
        keys = self.runs[0].figures().keys()
        return {
            **{key: self.median(key) for key in keys},
            "load_average_1m": [self.load_before, self.load_after],
            "runs": [run.figures() for run in self.runs],
        }


@dataclass(frozen=True)
class CppResult:
    """llama-bench's token generation: tokens per second of each repetition, and the load."""

    samples: Sequence[float]
    binary: str
    load_before: float | None
    load_after: float | None

    @property
    def tokens_per_second(self) -> float:
        return statistics.median(self.samples)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tokens_per_second": self.tokens_per_second,
            "samples": list(self.samples),
            "binary": self.binary,
            "load_average_1m": [self.load_before, self.load_after],
        }


@dataclass(frozen=True)
class Spread:
    """A figure over the rounds: its median, quartiles, and a 95% bootstrap interval of the
    median (resampled with a fixed seed, so a report reads the same when printed again)."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0)
        if len(values) == 1:
            value = values[0]
            return cls(value, value, value, value, value, 1)
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        rng = random.Random(0)
        medians = [
            statistics.median(rng.choices(values, k=len(values))) for _ in range(BOOTSTRAP_SAMPLES)
        ]
        low, high = percentile(medians, 0.025), percentile(medians, 0.975)
        return cls(median, q1, q3, low, high, len(values))

    def verdict(self, target: float, *, higher_is_better: bool = True) -> str:
        """ "met" when the whole interval is on the target's good side, "missed" when it is
        all on the other, "unresolved" when it straddles the target or comes from fewer than
        MIN_ROUNDS_FOR_VERDICT rounds (more rounds needed)."""
        if self.count < MIN_ROUNDS_FOR_VERDICT:
            return "unresolved"
        worst, best = (self.low, self.high) if higher_is_better else (-self.high, -self.low)
        goal = target if higher_is_better else -target
        if worst >= goal:
            return "met"
        return "missed" if best < goal else "unresolved"

    def as_dict(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "ci95": [self.low, self.high],
        }


@dataclass(frozen=True)
class BenchReport:
    """The three paths' results, and llama-bench's where it was built; `config` holds the
    settings every path actually used."""

    config: BenchConfig
    results: Mapping[str, PathResult]
    cpp: CppResult | None = None

    def overhead_ms(self, path: str) -> float | None:
        """Milliseconds per token the path spends beyond llama.cpp's own C++ (None without
        llama-bench's figure)."""
        tps = self.results[path].median("tokens_per_second")
        if self.cpp is None or tps <= 0 or self.cpp.tokens_per_second <= 0:
            return None
        return 1000.0 / tps - 1000.0 / self.cpp.tokens_per_second

    def ratio(self, path: str) -> float:
        """The path's tokens per second over the plain loop's."""
        raw = self.results["raw"].median("tokens_per_second")
        return self.results[path].median("tokens_per_second") / raw if raw > 0 else 0.0

    def ttft_delta_ms(self, path: str) -> float:
        """How much later than the plain loop's the path's first text came."""
        return self.results[path].median("ttft_ms") - self.results["raw"].median("ttft_ms")

    def paired_ratio(self, path: str) -> Spread:
        """The path's tokens per second over the plain loop's in the same round."""
        pairs = zip(self.results[path].runs, self.results["raw"].runs, strict=True)
        return Spread.of(
            [
                run.tokens_per_second / raw.tokens_per_second
                for run, raw in pairs
                if raw.tokens_per_second > 0
            ]
        )

    def paired_ttft_delta(self, path: str) -> Spread:
        """How much later than the plain loop's, in the same round, the path's first text came."""
        pairs = zip(self.results[path].runs, self.results["raw"].runs, strict=True)
        return Spread.of([run.ttft_ms - raw.ttft_ms for run, raw in pairs])

    def verdicts(self) -> dict[str, str]:
        """Issue 12's targets, each "met", "missed" or "unresolved" (see `Spread.verdict`)."""
        stalls = [run.extra.get("stall_p99_ms", 0.0) for run in self.results["gui"].runs]
        return {
            **{
                f"{path}_ratio": self.paired_ratio(path).verdict(target)
                for path, target in TARGET_RATIOS.items()
            },
            "gui_ttft_delta": self.paired_ttft_delta("gui").verdict(
                TARGET_GUI_TTFT_DELTA_MS, higher_is_better=False
            ),
            "gui_stall_p99": Spread.of(stalls).verdict(TARGET_STALL_P99_MS, higher_is_better=False),
        }

    def same_answer(self) -> bool:
        """Whether every path wrote the same text, as greedy decoding should."""
        return len({run.text for result in self.results.values() for run in result.runs}) == 1

    def as_dict(self) -> dict[str, Any]:
        config = self.config
        return {
            "model": str(config.model),
            "settings": {
                "max_tokens": config.max_tokens,
                "n_threads": config.n_threads,
                "n_ctx": config.n_ctx,
                "runs": config.runs,
                "n_gpu_layers": config.n_gpu_layers,
                "prompt": config.prompt,
                "cpu_count": os.cpu_count(),
                "order": "alternating",
            },
            **{name: result.as_dict() for name, result in self.results.items()},
            "ratios": {name: self.ratio(name) for name in PATH_NAMES[1:]},
            "ttft_delta_ms": {name: self.ttft_delta_ms(name) for name in PATH_NAMES[1:]},
            "paired_ratios": {name: self.paired_ratio(name).as_dict() for name in PATH_NAMES[1:]},
            "paired_ttft_delta_ms": {
                name: self.paired_ttft_delta(name).as_dict() for name in PATH_NAMES[1:]
            },
            "verdicts": self.verdicts(),
            "same_answer": self.same_answer(),
            "cpp": self.cpp.as_dict() if self.cpp is not None else None,
            "overhead_ms_per_token": {name: self.overhead_ms(name) for name in PATH_NAMES},
        }


def run_bench(config: BenchConfig, gui: BenchPath, progress: Progress | None = None) -> BenchReport:
    """Measure the plain loop, the engine and ``gui`` on ``config``, taking turns.

    All three models stay loaded. The plain loop's and the engine's load and free on a
    thread of the bench's own, and answer on the thread ``gui`` computes on (its
    `LoadedPath.compute_on`; the bench's thread where it has none); ``gui`` runs on the
    calling thread (Qt's). llama.cpp's CPU backend uses OpenMP, whose pool of threads belongs
    to the thread that calls it and lives as long as that thread. With more pooled threads
    alive than cores, libgomp stops spinning at its barriers and sleeps instead: a model run
    on the main thread before the GUI path slowed the GUI path from 22 to 15 tokens/s (1b, 2
    threads, 2 cores). One computing thread for all keeps one pool, the GUI path's.

    Raises:
        BenchError: a path failed, or loaded the model with other settings than the first.
        EngineError, GGUFError: the model cannot be loaded.
    """
    read_gguf_info(config.model)  # a bad file fails here, before any progress is reported
    say = progress or (lambda _line: None)
    paths: dict[str, BenchPath] = {"raw": raw_path, "engine": engine_path, "gui": gui}
    load_before = _load_average()
    with _BenchThread() as bench_thread, ExitStack() as stack:
        loaded: dict[str, LoadedPath] = {}
        for name, path in paths.items():
            say(f"{name}: loading {config.model.name}")
            manager = path(config)
            if path is gui:
                entered = stack.enter_context(manager)
            else:
                entered = _enter_on(bench_thread.run, manager, stack)
            if not loaded:  # the first load settles the defaults; the others get them spelled out
                config = replace(
                    config, n_ctx=entered.settings.n_ctx, n_threads=entered.settings.n_threads
                )
            _check_same_settings(name, entered.settings, config)
            loaded[name] = entered
        compute_on = loaded["gui"].compute_on or bench_thread.run
        answers = {
            name: path.answer if name == "gui" else _on(compute_on, path.answer)
            for name, path in loaded.items()
        }
        runs = _take_turns(answers, config.runs, say)
    load_after = _load_average()
    results = {name: PathResult(runs[name], load_before, load_after) for name in paths}
    return BenchReport(config, results, cpp_bench(config, say))


def cpp_bench_binary(version: str) -> Path:
    """Where `benchmarks/cpp_bench.py` keeps the llama-bench it built for this version of
    llama-cpp-python."""
    from llamadesk.core.paths import app_paths

    name = "llama-bench.exe" if os.name == "nt" else "llama-bench"
    return app_paths().cache / "llama-bench" / version / name


def _llama_bench() -> Path | None:
    """The llama-bench binary to run: LLAMADESK_LLAMA_BENCH, else the cached build."""
    chosen = os.environ.get(LLAMA_BENCH_ENV)
    if chosen:
        return Path(chosen)
    import importlib.metadata

    try:
        binary = cpp_bench_binary(importlib.metadata.version("llama-cpp-python"))
    except importlib.metadata.PackageNotFoundError:
        return None
    return binary if binary.is_file() else None


def cpp_bench(config: BenchConfig, say: Progress) -> CppResult | None:
    """llama-bench's token generation on the same model, tokens and threads (a warm-up
    repetition, then ``runs``); None where it has not been built.

    Raises:
        BenchError: llama-bench failed or printed no figure.
    """
    import json
    import subprocess

    binary = _llama_bench()
    if binary is None:
        say("cpp: llama-bench not built (python benchmarks/cpp_bench.py builds it); skipped")
        return None
    say(f"cpp: {binary}")
    command = [str(binary), "-m", str(config.model), "-p", "0", "-n", str(config.max_tokens)]
    command += ["-t", str(config.n_threads), "-r", str(config.runs), "-o", "json"]
    # llama-bench has no "all" or "auto": 999 layers is all of any model's.
    command += ["-ngl", str(config.n_gpu_layers if config.n_gpu_layers >= 0 else 999)]
    load_before = _load_average()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CPP_TIMEOUT_S, check=True
        )
        samples = [float(value) for value in json.loads(done.stdout)[0]["samples_ts"]]
    except (OSError, subprocess.SubprocessError, ValueError, LookupError, TypeError) as exc:
        raise BenchError(f"llama-bench ({binary}) failed: {exc}") from exc
    return CppResult(samples, str(binary), load_before, _load_average())


class _BenchThread:
    """A thread that runs the work handed to it, one piece at a time, in order.

    A daemon: after Ctrl-C the process ends without waiting for the answer in progress.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="llamadesk-bench", daemon=True)

    def __enter__(self) -> _BenchThread:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._jobs.put(None)
        if not isinstance(error, KeyboardInterrupt):
            self._thread.join()

    def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the thread; return its result or raise its error."""
        done: Future[T] = Future()

        def job() -> None:
            try:
                done.set_result(work())
            except BaseException as error:  # handed to the caller, who raises it
                done.set_exception(error)

        self._jobs.put(job)
        return done.result()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()


def _enter_on(run: OnThread, manager: AbstractContextManager[T], stack: ExitStack) -> T:
    """Enter ``manager`` on ``run``'s thread, and have ``stack`` exit it there too (but not
    after Ctrl-C, which would wait for the answer in progress)."""
    value = run(manager.__enter__)

    def leave(
        kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        if isinstance(error, KeyboardInterrupt):
            return None
        return run(lambda: manager.__exit__(kind, error, tb))

    stack.push(leave)
    return value


def _on(run: OnThread, answer: Callable[[], Run]) -> Callable[[], Run]:
    return lambda: run(answer)


def _take_turns(
    answers: Mapping[str, Callable[[], Run]], rounds: int, say: Progress
) -> dict[str, list[Run]]:
    """One warm-up answer per path (the first pays for page faults and the prompt's
    evaluation), then ``rounds`` rounds of one answer per path, in the same order."""
    for answer in answers.values():
        answer()
    runs: dict[str, list[Run]] = {name: [] for name in answers}
    for number in range(1, rounds + 1):
        for name, answer in answers.items():
            runs[name].append(answer())
        figures = ", ".join(
            f"{name} {measured[-1].tokens_per_second:.1f}" for name, measured in runs.items()
        )
        say(f"round {number}/{rounds}: tokens/s {figures}")
    return runs


def _check_same_settings(name: str, settings: LoadSettings, config: BenchConfig) -> None:
    if (settings.n_ctx, settings.n_threads) != (config.n_ctx, config.n_threads):
        raise BenchError(
            f"The {name} path loaded the model with n_ctx {settings.n_ctx} and "
            f"{settings.n_threads} threads instead of {config.n_ctx} and {config.n_threads}."
        )


def _load_average() -> float | None:
    """The system's 1-minute load average (None where the system has none, as on Windows)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def decode_rate(tokens: int, first: float, ended: float) -> float:
    """Tokens after the first over the seconds after it, as `AnswerStats` counts them."""
    decoding = ended - first
    return (tokens - 1) / decoding if tokens > 1 and decoding > 0 else 0.0


def compute_figures(cpu_started: float, thread_started: float, tokens: int) -> dict[str, float]:
    """CPU time per token, since `cpu_started` (`time.process_time`: the process) and since
    `thread_started` (`time.thread_time` of the thread that called llama.cpp)."""
    return {
        "cpu_ms_per_token": cpu_ms_per_token(cpu_started, tokens),
        "compute_thread_cpu_ms_per_token": (time.thread_time() - thread_started)
        * 1000.0
        / max(tokens, 1),
    }


def cpu_ms_per_token(cpu_started: float, tokens: int) -> float:
    """The process's CPU time since `cpu_started` (all its threads), per token.

    Other programs change it far less than wall-clock time: with one llama.cpp thread (whose
    OpenMP pool then never spins) a path's excess over the plain loop's is what the path
    itself costs per token, even on a busy machine.
    """
    return (time.process_time() - cpu_started) * 1000.0 / max(tokens, 1)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` from 0 to 1) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@contextmanager
def raw_path(config: BenchConfig) -> Iterator[LoadedPath]:
    """The plain llama-cpp-python loop. `Engine.load` only builds the `Llama`, so its
    arguments are the app's; the prompt is the chat template's tokens, computed untimed."""
    engine = Engine.load(config.model, config.load_settings())
    try:
        messages = [{"role": m.role, "content": m.content} for m in config.messages()]
        prompt = engine.format_prompt(messages).tokens
        params = config.sampling()
        yield LoadedPath(engine.settings, lambda: _raw_answer(engine.llama, prompt, params))
    finally:
        engine.close()


def _raw_answer(llama: Llama, prompt: list[int], params: SamplingParams) -> Run:
    from llama_cpp import StoppingCriteriaList

    sampled = 0

    def count(_tokens: object, _logits: object) -> bool:
        # Chunks are not tokens (a character split over tokens comes as one chunk), but
        # llama-cpp-python asks this once per sampled token, and once more after its loop.
        nonlocal sampled
        sampled += 1
        return False

    pieces: list[str] = []
    first: float | None = None
    finish = "length"
    cpu_started, thread_started = time.process_time(), time.thread_time()
    started = time.perf_counter()
    chunks = llama.create_completion(
        prompt,
        stream=True,
        max_tokens=params.max_tokens,
        temperature=params.temperature,
        top_k=params.top_k,
        top_p=params.top_p,
        min_p=params.min_p,
        repeat_penalty=params.repeat_penalty,
        seed=params.seed,
        stopping_criteria=StoppingCriteriaList([count]),
    )
    for chunk in cast("Iterator[CreateCompletionStreamResponse]", chunks):
        choice = chunk["choices"][0]
        if choice["text"]:
            if first is None:
                first = time.perf_counter()
            pieces.append(choice["text"])
        finish = choice["finish_reason"] or finish
    ended = time.perf_counter()
    # The end-of-answer token is sampled but is not part of the answer, as in AnswerStats.
    tokens = sampled - 1 - (finish == "stop")
    cpu = compute_figures(cpu_started, thread_started, tokens)
    if first is None:
        return Run("", tokens, (ended - started) * 1000.0, 0.0, cpu)
    rate = decode_rate(tokens, first, ended)
    return Run("".join(pieces), tokens, (first - started) * 1000.0, rate, cpu)


@contextmanager
def engine_path(config: BenchConfig) -> Iterator[LoadedPath]:
    """The app's engine, timed by its own `AnswerStats`."""
    engine = Engine.load(config.model, config.load_settings())
    try:
        yield LoadedPath(engine.settings, lambda: _engine_answer(engine, config))
    finally:
        engine.close()


def _engine_answer(engine: Engine, config: BenchConfig) -> Run:
    cpu_started, thread_started = time.process_time(), time.thread_time()
    stream = engine.stream(config.messages(), config.sampling())
    text = "".join(stream)
    stats = stream.stats
    assert stats is not None
    if stats.error:
        raise BenchError(stats.error)
    cpu = compute_figures(cpu_started, thread_started, stats.completion_tokens)
    return Run(text, stats.completion_tokens, stats.ttft_ms, stats.tokens_per_second, cpu)


def format_report(report: BenchReport) -> str:
    """The report as a table for a terminal."""
    config = report.config
    lines = [
        f"{config.model.name}: {config.max_tokens} tokens, {config.n_threads} threads, "
        f"n_ctx {config.n_ctx}, median of {config.runs} runs",
        f"{'Path':<8}{'tokens/s':>10}{'vs raw':>9}{'TTFT ms':>10}{'vs raw':>9}"
        f"{'stall p99':>11}{'stall max':>11}",
    ]
    for name, result in report.results.items():
        stalls = "".join(
            f"{result.median(key):>11.1f}" if key in result.runs[0].extra else f"{'':>11}"
            for key in ("stall_p99_ms", "stall_max_ms")
        )
        lines.append(
            f"{name:<8}{result.median('tokens_per_second'):>10.1f}{report.ratio(name):>9.1%}"
            f"{result.median('ttft_ms'):>10.1f}{report.ttft_delta_ms(name):>+9.1f}{stalls}"
        )
    lines += _paired_lines(report)
    if report.cpp is not None:
        cpp = report.cpp.tokens_per_second
        lines.append(f"{'cpp':<8}{cpp:>10.1f}   (llama-bench, no sampling)")
        overheads = ", ".join(
            f"{name} {report.overhead_ms(name) or 0.0:+.2f}" for name in PATH_NAMES
        )
        lines.append(f"Overhead per token against llama.cpp's C++, ms: {overheads}")
    if not report.same_answer():
        lines.append("Warning: the paths wrote different answers, so they did different work.")
    return "\n".join(lines)


def _paired_lines(report: BenchReport) -> list[str]:
    """Each target's figure per round, its spread and its verdict."""
    verdicts = report.verdicts()
    lines = ["Per round against the plain loop: median [quartiles] (95% interval of the median)"]
    for path, target in TARGET_RATIOS.items():
        ratio = report.paired_ratio(path)
        lines.append(
            f"{path + ' tokens/s':<16}{ratio.median:>7.1%} [{ratio.q1:.1%} to {ratio.q3:.1%}]"
            f" ({ratio.low:.1%} to {ratio.high:.1%}): {verdicts[path + '_ratio']}"
            f" (target >= {target:.0%})"
        )
    delta = report.paired_ttft_delta("gui")
    lines.append(
        f"{'gui first text':<16}{delta.median:>+7.1f} ms [{delta.q1:+.1f} to {delta.q3:+.1f}]"
        f" ({delta.low:+.1f} to {delta.high:+.1f}): {verdicts['gui_ttft_delta']}"
        f" (target <= +{TARGET_GUI_TTFT_DELTA_MS:.0f} ms)"
    )
    return lines
