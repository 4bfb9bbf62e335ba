"""One loaded llama.cpp model: load it, stream chat answers, cancel them, report their cost.

llama.cpp objects are not thread-safe. An `Engine` must be created, used and closed on one
thread; only `AnswerStream.cancel` may be called from another.
"""

from __future__ import annotations

import codecs
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from llamadesk.core.backend import auto_gpu_layers, backend_info, free_vram_bytes
from llamadesk.core.gguf_info import GGUFInfo, read_gguf_info
from llamadesk.core.reasoning import (
    MARKERS,
    Delta,
    ReasoningParser,
    opens_in_reasoning,
    partial_marker_length,
    reasoning_format,
    template_arguments,
    thinking_choices,
)

if TYPE_CHECKING:  # llama_cpp is heavy to import: the app imports it when a model loads.
    from llama_cpp import Llama

Role = Literal["system", "user", "assistant"]
StopReason = Literal["eos", "length", "stopped", "error"]

DEFAULT_CONTEXT = 4096
MAX_CONTEXT = 1 << 20
GPU_LAYERS_AUTO = -2
KvCacheType = Literal["f16", "q8_0", "q4_0"]
# ggml's type ids (GGML_TYPE_F16, _Q8_0, _Q4_0), as llama.cpp's type_k / type_v take them.
KV_CACHE_TYPES: dict[str, int] = {"f16": 1, "q8_0": 8, "q4_0": 2}
# Bytes per cached value: f16 is 2; q8_0 and q4_0 store blocks of 32 with a 2-byte scale.
KV_BYTES_PER_ELEMENT: dict[str, float] = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}


class EngineError(Exception):
    """A problem the user can act on; the message is one clear sentence."""


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class LoadSettings:
    """How to load a model.

    Args:
        n_ctx: context length in tokens; 0 means the model's own, capped at DEFAULT_CONTEXT.
        n_threads: CPU threads; 0 means one per physical core.
        n_gpu_layers: layers to offload to a GPU backend: -1 all, 0 none, GPU_LAYERS_AUTO as
            many as fit the GPU's free memory. CPU builds ignore it.
        n_batch: tokens of the prompt processed per step.
        flash_attn: use flash attention (faster, less memory, where the backend has it).
        kv_cache_type: the KV cache's number format; q8_0 halves it (needs flash attention).
        use_mmap: map the file instead of reading it (loads faster, pages shared with the OS).
        use_mlock: lock the model in RAM so the OS never swaps it out.
    """

    n_ctx: int = 0
    n_threads: int = 0
    n_gpu_layers: int = 0
    n_batch: int = 512
    flash_attn: bool = False
    kv_cache_type: KvCacheType = "f16"
    use_mmap: bool = True
    use_mlock: bool = False

    def validate(self) -> None:
        checks = (
            (0 <= self.n_ctx <= MAX_CONTEXT, f"Context length must be up to {MAX_CONTEXT} tokens."),
            (0 <= self.n_threads <= 512, "Threads must be between 1 and 512 (0 picks for you)."),
            (
                self.n_gpu_layers >= GPU_LAYERS_AUTO,
                "GPU layers must be auto, -1 (all), 0 (none) or a positive count.",
            ),
            (1 <= self.n_batch <= 8192, "Batch size must be between 1 and 8192 tokens."),
            (self.kv_cache_type in KV_CACHE_TYPES, "KV cache type must be f16, q8_0 or q4_0."),
            (
                self.kv_cache_type == "f16" or self.flash_attn,
                "A quantized KV cache (q8_0, q4_0) needs flash attention turned on.",
            ),
        )
        for ok, message in checks:
            if not ok:
                raise EngineError(message)

    def llama_kwargs(self) -> dict[str, Any]:
        """The keyword arguments llama-cpp-python's Llama() takes for these settings."""
        return {
            "n_batch": self.n_batch,
            "flash_attn": self.flash_attn,
            "type_k": KV_CACHE_TYPES[self.kv_cache_type],
            "type_v": KV_CACHE_TYPES[self.kv_cache_type],
            "use_mmap": self.use_mmap,
            "use_mlock": self.use_mlock,
        }


@dataclass(frozen=True)
class SamplingParams:
    """How to pick each next token. temperature 0 is greedy (deterministic)."""

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 1024
    seed: int = -1  # -1: a fresh random seed for each answer, recorded in its stats

    def validate(self) -> None:
        checks = (
            (0.0 <= self.temperature <= 5.0, "Temperature must be between 0 and 5."),
            (0.0 < self.top_p <= 1.0, "Top-p must be above 0 and at most 1."),
            (self.top_k >= 0, "Top-k must be 0 (off) or more."),
            (0.0 <= self.min_p <= 1.0, "Min-p must be between 0 and 1."),
            (0.0 < self.repeat_penalty <= 5.0, "Repeat penalty must be above 0 and at most 5."),
            (self.max_tokens >= 1, "Max tokens must be at least 1."),
            (-1 <= self.seed < 2**32, "Seed must be -1 (random) or between 0 and 4294967295."),
        )
        for ok, message in checks:
            if not ok:
                raise EngineError(message)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AnswerStats:
    """What one answer cost. Times are wall-clock milliseconds.

    ``reasoning_ms`` is how long the model thought: from its first token of reasoning to the
    end of the reasoning (0 without any); ``reasoning_tokens`` the tokens sampled until then.
    """

    prompt_tokens: int
    completion_tokens: int
    ttft_ms: float
    total_ms: float
    tokens_per_second: float
    stop_reason: StopReason
    seed: int
    error: str = ""
    reasoning_ms: float = 0.0
    reasoning_tokens: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Progress:
    pieces: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    first_piece_at: float | None = None
    prompt_tokens: int = 0
    sampled: int = 0
    in_reasoning: bool = False
    reasoning_from: float | None = None  # when the first token of reasoning came
    reasoning_until: float | None = None  # when the reasoning ended
    reasoning_tokens: int = 0


class AnswerStream:
    """The pieces of one answer, in order, as llama.cpp makes them.

    Iterate it on the engine's thread: iterating gives the answer's text; `parts()` gives the
    reasoning and the answer side by side. `cancel()` may be called from any thread:
    generation stops before the next token. After iteration ends, `stats`, `text` (the final
    answer) and `reasoning` hold the result.
    """

    def __init__(
        self,
        engine: Engine,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event | None = None,
        thinking: str = "",
    ):
        self._engine = engine
        self._messages = [{"role": m.role, "content": m.content} for m in messages]
        self._params = params
        self._thinking = thinking
        self._cancelled = cancel or threading.Event()
        self._progress = _Progress()
        self.stats: AnswerStats | None = None

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def text(self) -> str:
        """The answer, without its reasoning."""
        return "".join(self._progress.pieces)

    @property
    def reasoning(self) -> str:
        return "".join(self._progress.reasoning).strip()

    def progress(self) -> tuple[int, float]:
        """Tokens generated so far and the decode speed, for a live display."""
        first, sampled = self._progress.first_piece_at, self._progress.sampled
        if first is None or sampled < 2:
            return sampled, 0.0
        elapsed = time.perf_counter() - first
        return sampled, (sampled - 1) / elapsed if elapsed > 0 else 0.0

    def __iter__(self) -> Iterator[str]:
        for part in self.parts():
            if part.answer:
                yield part.answer

    def parts(self) -> Iterator[Delta]:
        """What each step adds to the reasoning and to the answer (never both empty)."""
        params = self._params
        seed = params.seed if params.seed >= 0 else int.from_bytes(os.urandom(4), "little")
        import jinja2  # chat templates' errors; imported late, like llama_cpp itself

        started = time.perf_counter()
        reason: StopReason = "length"
        error = ""
        try:
            for part in self._engine.complete(
                self._messages, params, seed, self._on_token, self._thinking
            ):
                self._record(part)
                if part.reasoning or part.answer:
                    yield Delta(part.reasoning, part.answer)
                if part.finish is not None:
                    reason = "eos" if part.finish == "stop" else "length"
        except ContextOverflow as exc:
            reason, error = "error", str(exc)
        except (ValueError, RuntimeError) as exc:
            reason, error = "error", f"llama.cpp failed while answering: {exc}"
        except jinja2.TemplateError as exc:
            reason, error = "error", f"The model's chat template failed: {exc}"
        if self._cancelled.is_set():
            reason = "stopped"
        self._settle_reasoning(reason)
        self.stats = self._finish(started, reason, seed, error)

    def _on_token(self, prompt_tokens: int, sampled: int) -> bool:
        """Called once per sampled token, also for tokens that show no text yet (half a
        UTF-8 character, a possible stop word). Returns True to stop generating."""
        self._progress.prompt_tokens = prompt_tokens
        self._progress.sampled = sampled
        return self._cancelled.is_set()

    def _record(self, part: Piece) -> None:
        """Keep a piece's text; note when the reasoning starts and ends (a piece without
        text may end it: a lone </think>)."""
        progress = self._progress
        now = time.perf_counter()
        if progress.first_piece_at is None and (part.reasoning or part.answer):
            progress.first_piece_at = now
        if part.answer:
            progress.pieces.append(part.answer)
        if part.reasoning:
            if progress.reasoning_from is None:
                progress.reasoning_from = now
            progress.reasoning.append(part.reasoning)
        if progress.in_reasoning and not part.in_reasoning:
            progress.reasoning_until = now
            progress.reasoning_tokens = progress.sampled
        progress.in_reasoning = part.in_reasoning

    def _settle_reasoning(self, reason: StopReason) -> None:
        """Close the reasoning at the end of the answer. A model that ended its answer
        without ever leaving its reasoning wrote no answer apart from it: what it wrote is
        shown as the answer, rather than hidden away."""
        progress = self._progress
        if not progress.in_reasoning:
            return
        progress.reasoning_until = time.perf_counter()
        progress.reasoning_tokens = progress.sampled
        if reason == "eos" and not progress.pieces:
            progress.pieces = ["".join(progress.reasoning).strip()]
            progress.reasoning = []

    def _finish(self, started: float, reason: StopReason, seed: int, error: str) -> AnswerStats:
        ended = time.perf_counter()
        progress = self._progress
        first = progress.first_piece_at
        ttft = (first - started) if first is not None else (ended - started)
        # The end-of-answer token is sampled but is not part of the answer.
        completion_tokens = progress.sampled - 1 if reason == "eos" else progress.sampled
        gen_time = ended - first if first is not None else 0.0
        # Tokens after the first divided by the time after the first: the decode speed
        # llama-bench reports, not diluted by prompt processing.
        tps = (completion_tokens - 1) / gen_time if completion_tokens > 1 and gen_time > 0 else 0.0
        thought = progress.reasoning and progress.reasoning_from is not None
        return AnswerStats(
            prompt_tokens=progress.prompt_tokens,
            completion_tokens=completion_tokens,
            ttft_ms=ttft * 1000.0,
            total_ms=(ended - started) * 1000.0,
            tokens_per_second=tps,
            stop_reason=reason,
            seed=seed,
            error=error,
            reasoning_ms=_thinking_ms(progress) if thought else 0.0,
            reasoning_tokens=progress.reasoning_tokens if thought else 0,
        )


def _thinking_ms(progress: _Progress) -> float:
    start, end = progress.reasoning_from, progress.reasoning_until
    if start is None or end is None:
        return 0.0
    return (end - start) * 1000.0


class ContextOverflow(EngineError):
    """The prompt does not leave room for an answer in the model's context."""


# Gets the prompt's token count and how many tokens were sampled so far; True stops.
TokenHook = Callable[[int, int], bool]


class FormattedPrompt(NamedTuple):
    tokens: list[int]
    stop_words: list[str]


class Piece(NamedTuple):
    """One step of an answer: what it adds to the reasoning and to the answer, why the
    answer ended (or None), and whether the model is still reasoning after it."""

    reasoning: str
    answer: str
    finish: str | None
    in_reasoning: bool


class _StreamingText:
    """Turns token bytes into text pieces: whole UTF-8 characters only, and never the
    start of a stop word until it is clear the stop word does not follow."""

    def __init__(self, stop_words: Sequence[str]) -> None:
        # Invalid bytes are dropped, as llama-cpp-python's own decoding does.
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
        self._stop_words = [word for word in stop_words if word]
        self._held = ""

    def add(self, data: bytes) -> tuple[str, bool]:
        """The text that can be shown now, and whether a stop word ended the answer."""
        held = self._held + self._decoder.decode(data)
        for word in self._stop_words:
            if word in held:
                self._held = ""
                return held[: held.index(word)], True
        keep = max((partial_marker_length(held, word) for word in self._stop_words), default=0)
        self._held = held[len(held) - keep :]
        return held[: len(held) - keep], False

    def flush(self) -> str:
        rest, self._held = self._held + self._decoder.decode(b"", final=True), ""
        return rest


class Engine:
    """A GGUF model loaded into llama.cpp."""

    def __init__(self, llama: Llama, info: GGUFInfo, settings: LoadSettings):
        self.llama = llama
        self.info = info
        self.settings = settings
        self._formatter = _chat_formatter(llama)
        self._template: str = llama.metadata.get("tokenizer.chat_template", "")
        # How this model writes its reasoning, decided once from its chat template.
        self.reasoning_format = reasoning_format(self._template)
        self.thinking_choices = thinking_choices(self._template)
        self._marker_tokens = self._single_token_markers()

    @classmethod
    def load(cls, path: Path | str, settings: LoadSettings | None = None) -> Engine:
        """Load a model, or raise `EngineError` / `GGUFError` with a message for the user."""
        settings = settings or LoadSettings()
        settings.validate()
        info = read_gguf_info(path)  # bad files fail here with a clear message, cheaply
        n_ctx = resolve_context(settings, info)
        n_threads = settings.n_threads or default_threads(info.parameter_count)
        n_gpu_layers = settings.n_gpu_layers
        if n_gpu_layers == GPU_LAYERS_AUTO:
            backend = backend_info()
            n_gpu_layers = auto_gpu_layers(info, n_ctx, backend, free_vram_bytes())
        import jinja2

        try:
            from llama_cpp import Llama

            llama = Llama(
                model_path=str(info.path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                n_gpu_layers=n_gpu_layers,
                verbose=False,
                **settings.llama_kwargs(),
            )
        except jinja2.TemplateError as exc:
            raise EngineError(f"The chat template in {info.path.name} is broken: {exc}") from exc
        except (ValueError, RuntimeError, OSError) as exc:
            raise EngineError(f"llama.cpp could not load {info.path.name}: {exc}") from exc
        resolved = replace(settings, n_ctx=n_ctx, n_threads=n_threads, n_gpu_layers=n_gpu_layers)
        return cls(llama, info, resolved)

    @property
    def n_ctx(self) -> int:
        return int(self.llama.n_ctx())

    def format_prompt(
        self,
        messages: Sequence[Mapping[str, str]],
        template_args: Mapping[str, object] | None = None,
    ) -> FormattedPrompt:
        """What the model's chat template makes of `messages`: the tokens up to where the
        assistant's answer begins, and how the template says an answer ends.
        `template_args` are the template's own switches, such as ``enable_thinking``."""
        result = self._formatter(messages=list(messages), **(template_args or {}))
        tokens = self.llama.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )
        return FormattedPrompt(list(tokens), _as_list(result.stop))

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        params: SamplingParams,
        seed: int,
        on_token: TokenHook,
        thinking: str = "",
    ) -> Iterator[Piece]:
        """Yield the pieces of the answer to `messages`, its reasoning split from it.

        The same tokens as llama-cpp-python's `create_chat_completion` (same template, same
        sampler, same prefix cache), decoded here rather than by its streaming code, which
        re-decodes the whole answer after every token (cubic when a byte sequence never
        becomes valid UTF-8) and skips its max_tokens check mid-character. `on_token` sees
        every sampled token and can stop generation before the next one. `thinking` is a
        choice of `thinking_choices` ("" for the template's default).
        """
        prompt = self.format_prompt(messages, template_arguments(self._template, thinking))
        n_prompt = len(prompt.tokens)
        limit = min(params.max_tokens, self.n_ctx - n_prompt)
        if limit < 1:
            raise ContextOverflow(
                f"This conversation ({n_prompt} tokens) no longer fits the model's context "
                f"of {self.n_ctx} tokens. Start a new chat, or load the model with a longer "
                "context."
            )
        self.llama.set_seed(seed)
        tokens = self._generate(prompt.tokens, params)
        fmt = self.reasoning_format
        prompt_end = self._prompt_end(prompt.tokens) if fmt == "tags" else ""
        parser = ReasoningParser(fmt, in_reasoning=opens_in_reasoning(fmt, prompt_end))
        pieces = self._decode(tokens, prompt.stop_words, n_prompt, limit, on_token)
        if fmt == "none":  # most models: no parsing at all on the per-token path
            for text, finish in pieces:
                yield Piece("", text, finish, False)
            return
        for text, finish in pieces:
            reasoning, answer = parser.feed(text)
            if finish is not None:
                rest = parser.close()
                reasoning, answer = reasoning + rest.reasoning, answer + rest.answer
            yield Piece(reasoning, answer, finish, parser.in_reasoning)

    def _generate(self, prompt: list[int], params: SamplingParams) -> Iterator[int]:
        """The sampled tokens; tests put a script of tokens here."""
        return self.llama.generate(
            prompt,
            top_k=params.top_k,
            top_p=params.top_p,
            min_p=params.min_p,
            temp=params.temperature,
            repeat_penalty=params.repeat_penalty,
        )

    def _decode(
        self,
        tokens: Iterable[int],
        stop_words: Sequence[str],
        n_prompt: int,
        limit: int,
        on_token: TokenHook,
    ) -> Iterator[tuple[str, str | None]]:
        """Yield (text, finish reason or None) pieces of the sampled tokens; the last piece
        carries the reason. The reasoning format's markers keep their text: llama.cpp drops
        the text of control tokens, and gpt-oss's and Gemma 4's markers are control tokens."""
        detokenize, markers = self.llama.detokenize, self._marker_tokens
        text = _StreamingText(stop_words)
        for count, token in enumerate(tokens, start=1):
            if on_token(n_prompt, count) or self.is_end_of_generation(token):
                break
            piece, stopped = text.add(detokenize([token], special=token in markers))
            if stopped:
                yield piece, "stop"
                return
            if count >= limit:
                yield piece + text.flush(), "length"
                return
            if piece:
                yield piece, None
        yield text.flush(), "stop"

    def _prompt_end(self, prompt: list[int]) -> str:
        """The last few tokens of the prompt as text, markers included."""
        return self.llama.detokenize(prompt[-4:], special=True).decode("utf-8", "ignore")

    def _single_token_markers(self) -> frozenset[int]:
        """The tokens that are whole markers of this model's reasoning format."""
        ids: set[int] = set()
        for marker in MARKERS[self.reasoning_format]:
            tokens = self.llama.tokenize(marker.encode("utf-8"), add_bos=False, special=True)
            if len(tokens) == 1:
                ids.add(tokens[0])
        return frozenset(ids)

    def is_end_of_generation(self, token: int) -> bool:
        from llama_cpp import llama_vocab_is_eog

        return bool(llama_vocab_is_eog(self.llama._model.vocab, token))

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: threading.Event | None = None,
        thinking: str = "",
    ) -> AnswerStream:
        """An answer to `messages`; setting `cancel` (from any thread) stops it early.
        `thinking` is one of `thinking_choices` ("" keeps the template's default)."""
        params.validate()
        return AnswerStream(self, messages, params, cancel, thinking)

    def close(self) -> None:
        self.llama.close()


def resolve_context(settings: LoadSettings, info: GGUFInfo) -> int:
    """The context length a load will use: the setting, else the model's own, capped."""
    return settings.n_ctx or min(info.context_length or DEFAULT_CONTEXT, DEFAULT_CONTEXT)


def _chat_formatter(llama: Llama) -> Any:
    """The formatter llama-cpp-python itself would use for this model's chat messages.

    Mirrors `Llama.__init__`: the template stored in the GGUF file, with the model's own
    BOS/EOS text; files without a template get llama-cpp-python's fallback, Llama 2's format.
    The template runs in Jinja's sandbox, so a hostile one cannot reach the system.
    """
    from llama_cpp import llama_chat_format

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return llama_chat_format.format_llama2
    eos, bos = llama.token_eos(), llama.token_bos()
    model = llama._model  # the token texts, exactly as Llama.__init__ reads them
    return llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=model.token_get_text(eos) if eos != -1 else "",
        bos_token=model.token_get_text(bos) if bos != -1 else "",
        stop_token_ids=[eos],
    )


def _as_list(stop: str | list[str] | None) -> list[str]:
    if stop is None:
        return []
    return [stop] if isinstance(stop, str) else list(stop)


# Below this size a token is so little work that llama.cpp's threads spend their time
# waiting for each other; with any other load on the machine, two threads ran the demo
# model 30 times slower than one (measured on 2 cores).
SINGLE_THREAD_PARAMETERS = 100_000_000


def default_threads(parameter_count: int) -> int:
    """One thread per physical core (hyper-threads slow llama.cpp down); one for tiny models."""
    if parameter_count < SINGLE_THREAD_PARAMETERS:
        return 1
    import psutil

    return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
