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

from llamadesk.core.answer_stats import AnswerStats as AnswerStats  # re-exported
from llamadesk.core.answer_stats import StopReason as StopReason
from llamadesk.core.backend import auto_gpu_layers, backend_info, free_vram_bytes
from llamadesk.core.gguf_info import GGUFInfo, read_gguf_info
from llamadesk.core.options import (
    FLASH_ATTN,
    GPU_LAYERS_AUTO,
    KV_CACHE_TYPES,
    LOAD_OPTIONS,
    MAX_TOKENS,
    MIN_P,
    N_BATCH,
    N_CTX,
    N_GPU_LAYERS,
    N_THREADS,
    QUANTIZED_KV_NEEDS_FLASH,
    REPEAT_PENALTY,
    SAMPLING_OPTIONS,
    SEED,
    TEMPERATURE,
    TOP_K,
    TOP_P,
    USE_MLOCK,
    USE_MMAP,
    first_problem,
)
from llamadesk.core.options import (
    MAX_CONTEXT as MAX_CONTEXT,  # re-exported: declared in options, long imported from here
)
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

DEFAULT_CONTEXT = 4096
KvCacheType = Literal["f16", "q8_0", "q4_0"]
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

    # Defaults and ranges are declared in core/options.py.
    n_ctx: int = N_CTX.default
    n_threads: int = N_THREADS.default
    n_gpu_layers: int = N_GPU_LAYERS.default
    n_batch: int = N_BATCH.default
    flash_attn: bool = FLASH_ATTN.default
    kv_cache_type: KvCacheType = "f16"  # KV_CACHE_TYPE.default, typed as its choices
    use_mmap: bool = USE_MMAP.default
    use_mlock: bool = USE_MLOCK.default

    def validate(self) -> None:
        """Raise `EngineError` with the first invalid value, in a sentence."""
        problem = first_problem(self, LOAD_OPTIONS)
        if problem is None and self.kv_cache_type != "f16" and not self.flash_attn:
            problem = QUANTIZED_KV_NEEDS_FLASH
        if problem:
            raise EngineError(problem)

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

    # Defaults and ranges are declared in core/options.py.
    temperature: float = TEMPERATURE.default
    top_p: float = TOP_P.default
    top_k: int = TOP_K.default
    min_p: float = MIN_P.default
    repeat_penalty: float = REPEAT_PENALTY.default
    max_tokens: int = MAX_TOKENS.default
    seed: int = SEED.default  # -1: a fresh random seed for each answer, recorded in its stats

    def validate(self) -> None:
        """Raise `EngineError` with the first invalid value, in a sentence."""
        problem = first_problem(self, SAMPLING_OPTIONS)
        if problem:
            raise EngineError(problem)

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
        prompt: str | None = None,
        top_logprobs: int | None = None,
    ):
        self._engine = engine
        self._messages = [{"role": m.role, "content": m.content} for m in messages]
        self._params = params
        self._thinking = thinking
        self._prompt = prompt  # a text to continue as it is, instead of the chat
        self._top_logprobs = top_logprobs
        # Each sampled token's log probability and its likeliest alternatives, if asked.
        self.logprobs: list[dict[str, Any]] | None = None if top_logprobs is None else []
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
        started = time.perf_counter()
        reason: StopReason = "length"
        error = ""
        try:
            for part in self._pieces(seed):
                self._record(part)
                if part.reasoning or part.answer:
                    yield Delta(part.reasoning, part.answer)
                if part.finish is not None:
                    reason = "eos" if part.finish == "stop" else "length"
        except EngineError as exc:  # the context is full, or the chat template failed
            reason, error = "error", str(exc)
        except (ValueError, RuntimeError) as exc:
            reason, error = "error", f"llama.cpp failed while answering: {exc}"
        finally:
            self._engine.on_sample = None
        if self._cancelled.is_set():
            reason = "stopped"
        self._settle_reasoning(reason)
        self.stats = self._finish(started, reason, seed, error)

    def _pieces(self, seed: int) -> Iterator[Piece]:
        engine, params = self._engine, self._params
        if self._top_logprobs is not None:
            from llamadesk.core.logprobs import token_logprobs

            top, found = self._top_logprobs, self.logprobs
            assert found is not None
            engine.on_sample = lambda token: found.append(token_logprobs(engine.llama, token, top))
        if self._prompt is not None:
            return engine.complete_text(self._prompt, params, seed, self._on_token)
        return engine.complete(self._messages, params, seed, self._on_token, self._thinking)

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


class ChatTemplateError(EngineError):
    """The model's chat template failed while turning the conversation into a prompt."""


class TemplateRefused(ChatTemplateError):
    """The template itself refused the conversation (its `raise_exception(...)`)."""


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
        # Set once the template has refused a system message (Gemma 2 does): from then on,
        # the system prompt goes into the first user turn without asking again.
        self._fold_system = False
        self._template: str = llama.metadata.get("tokenizer.chat_template", "")
        # How this model writes its reasoning, decided once from its chat template.
        self.reasoning_format = reasoning_format(self._template)
        self.thinking_choices = thinking_choices(self._template)
        self._marker_tokens = self._single_token_markers()
        # Sees each sampled token before it is decoded (the API server's logprobs).
        self.on_sample: Callable[[int], None] | None = None

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
        result = self._render([dict(m) for m in messages], template_args or {})
        tokens = self.llama.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )
        return FormattedPrompt(list(tokens), _as_list(result.stop))

    def _render(self, messages: list[dict[str, str]], template_args: Mapping[str, object]) -> Any:
        """The template's prompt for `messages`. A template that refuses a system message
        ("System role not supported", Gemma 2) gets it folded into the first user turn."""
        if self._fold_system:
            messages = fold_system_prompt(messages)
        try:
            return self._apply_template(messages, template_args)
        except TemplateRefused:
            folded = fold_system_prompt(messages)
            if folded == messages:
                raise  # no system message to blame: the template refuses something else
            result = self._apply_template(folded, template_args)
            self._fold_system = True
            return result

    def _apply_template(
        self, messages: list[dict[str, str]], template_args: Mapping[str, object]
    ) -> Any:
        try:
            return self._formatter(messages=messages, **template_args)
        except Exception as exc:  # a template is a program: anything can fail inside it
            raise _template_error(self.info.path.name, exc) from exc

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
        tokens = self._observed(self._generate(prompt.tokens, params))
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

    def complete_text(
        self, prompt: str, params: SamplingParams, seed: int, on_token: TokenHook
    ) -> Iterator[Piece]:
        """Continue `prompt` as it is written, without the chat template (the API's
        /v1/completions); the model's own stop tokens end it."""
        tokens = self.llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
        limit = min(params.max_tokens, self.n_ctx - len(tokens))
        if limit < 1:
            raise ContextOverflow(
                f"This prompt ({len(tokens)} tokens) does not fit the model's context of "
                f"{self.n_ctx} tokens."
            )
        self.llama.set_seed(seed)
        sampled = self._observed(self._generate(tokens, params))
        for text, finish in self._decode(sampled, [], len(tokens), limit, on_token):
            yield Piece("", text, finish, False)

    def _observed(self, tokens: Iterator[int]) -> Iterator[int]:
        """`tokens`, shown to `on_sample` first where one is set."""
        observe = self.on_sample
        if observe is None:
            return tokens
        return _tapped(tokens, observe)

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
        *,
        prompt: str | None = None,
        top_logprobs: int | None = None,
    ) -> AnswerStream:
        """An answer to `messages`; setting `cancel` (from any thread) stops it early.
        `thinking` is one of `thinking_choices` ("" keeps the template's default). With
        `prompt`, that text is continued instead, without the chat template. With
        `top_logprobs`, `AnswerStream.logprobs` gets each token's log probability and
        that many alternatives."""
        params.validate()
        return AnswerStream(self, messages, params, cancel, thinking, prompt, top_logprobs)

    def close(self) -> None:
        self.llama.close()


def _tapped(tokens: Iterator[int], observe: Callable[[int], None]) -> Iterator[int]:
    for token in tokens:
        observe(token)
        yield token


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


def fold_system_prompt(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """`messages` without system messages: their text opens the first user message."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if not system:
        return rest
    for message in rest:
        if message["role"] == "user":
            message["content"] = f"{system}\n\n{message['content']}"
            return rest
    return [{"role": "user", "content": system}, *rest]


def _template_error(model_name: str, exc: Exception) -> ChatTemplateError:
    """One sentence for a chat template that raised: its own message when it refused the
    conversation on purpose, else what broke inside it."""
    where = f"The chat template of {model_name}"
    if _raised_by_template(exc):
        return TemplateRefused(f"{where} refused this conversation: {exc}")
    if isinstance(exc, MemoryError):
        return ChatTemplateError(f"{where} ran out of memory while writing the prompt.")
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ChatTemplateError(f"{where} failed: {detail}")


def _raised_by_template(exc: Exception) -> bool:
    """Whether `exc` comes from the template's `raise_exception('...')`, the helper that
    llama-cpp-python (like transformers) gives templates to refuse a conversation."""
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback is not None and traceback.tb_frame.f_code.co_name == "raise_exception"


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
