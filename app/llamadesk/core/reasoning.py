"""Reasoning models: tell their reasoning from their answer, and switch their thinking.

Models write their reasoning in one of a few ways (MODELS-2026.md §4):

- ``tags``: ``<think>…</think>answer`` (Qwen3, SmolLM3, DeepSeek-R1 distills). When the
  prompt already ends in ``<think>`` (Qwen3.5, the *-Thinking-2507 models), the answer starts
  inside the reasoning and only ``</think>`` shows.
- ``harmony``: gpt-oss's channels, ``<|channel|>analysis<|message|>…<|end|><|start|>assistant
  <|channel|>final<|message|>…<|return|>``.
- ``gemma4``: ``<|channel>thought\\n…<channel|>answer``.

The format is decided once per model from its chat template, never guessed per answer.
A `ReasoningParser` is fed the answer's text pieces as they stream and hands back what each
piece adds to the reasoning and to the answer. Markers may arrive split across pieces; each
piece costs time in proportion to its own length, never to the answer's. Text that does not
follow the format goes to the answer as it was written: nothing the model says is lost.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

ReasoningFormat = Literal["none", "tags", "harmony", "gemma4"]
Channel = Literal["reasoning", "answer"]

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
HARMONY_CHANNEL, HARMONY_MESSAGE = "<|channel|>", "<|message|>"
HARMONY_START, HARMONY_END = "<|start|>", "<|end|>"
HARMONY_STOPS = ("<|return|>", "<|call|>")
HARMONY_CONSTRAIN = "<|constrain|>"
GEMMA4_OPEN, GEMMA4_CLOSE = "<|channel>", "<channel|>"

# The markers of each format: the engine decodes these tokens with their text, which
# llama.cpp otherwise drops for control tokens.
MARKERS: dict[ReasoningFormat, tuple[str, ...]] = {
    "none": (),
    "tags": (THINK_OPEN, THINK_CLOSE),
    "harmony": (
        HARMONY_CHANNEL,
        HARMONY_MESSAGE,
        HARMONY_START,
        HARMONY_END,
        HARMONY_CONSTRAIN,
        *HARMONY_STOPS,
    ),
    "gemma4": (GEMMA4_OPEN, GEMMA4_CLOSE),
}

MARKER_START = "<"
assert all(marker.startswith(MARKER_START) for markers in MARKERS.values() for marker in markers)

# A channel header longer than this is not one: the model is writing plain text.
MAX_HEADER = 128

# Thinking settings a template can take: "" leaves the template's own default.
ThinkingChoice = Literal["", "on", "off", "low", "medium", "high"]
SWITCH_CHOICES: tuple[ThinkingChoice, ...] = ("on", "off")
EFFORT_CHOICES: tuple[ThinkingChoice, ...] = ("low", "medium", "high")


def reasoning_format(template: str) -> ReasoningFormat:
    """How a model with this chat template writes its reasoning."""
    if HARMONY_CHANNEL in template and HARMONY_MESSAGE in template:
        return "harmony"
    if GEMMA4_OPEN in template and GEMMA4_CLOSE in template:
        return "gemma4"
    if THINK_CLOSE in template:
        return "tags"
    return "none"


def thinking_choices(template: str) -> tuple[ThinkingChoice, ...]:
    """The thinking settings this template understands; () if it has no switch."""
    if "reasoning_effort" in template:
        return EFFORT_CHOICES
    if "enable_thinking" in template:
        return SWITCH_CHOICES
    return ()


def template_arguments(template: str, choice: str) -> dict[str, object]:
    """The keyword arguments that give this template the thinking `choice`.

    A choice the template does not take (or "") adds none: the template's default applies.
    SmolLM3's template reads ``enable_thinking`` too (it is what its ``/think`` and
    ``/no_think`` flags set).
    """
    choices = thinking_choices(template)
    if choice not in choices or not choice:
        return {}
    if choices == EFFORT_CHOICES:
        return {"reasoning_effort": choice}
    return {"enable_thinking": choice == "on"}


def opens_in_reasoning(fmt: ReasoningFormat, prompt_tail: str) -> bool:
    """Whether the rendered prompt (its last characters) leaves the answer inside reasoning."""
    return fmt == "tags" and prompt_tail.rstrip().endswith(THINK_OPEN)


class Delta(NamedTuple):
    """What one piece added to the reasoning and to the answer."""

    reasoning: str
    answer: str


def partial_marker_length(text: str, marker: str) -> int:
    """Length of the longest end of `text` that begins `marker` (but is not all of it)."""
    for size in range(min(len(text), len(marker) - 1), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0


class ReasoningParser:
    """Splits one answer's streamed text into reasoning and answer (the ``none`` format
    passes everything to the answer untouched)."""

    def __init__(self, fmt: ReasoningFormat = "none", *, in_reasoning: bool = False) -> None:
        self.format = fmt
        self._markers = MARKERS[fmt]
        self._longest = max((len(marker) for marker in self._markers), default=0)
        self._held = ""  # the end of the text so far, when it may begin a marker
        # Where text goes now: a channel, or "header" (a harmony or Gemma 4 channel header,
        # held until it is complete).
        self._target: Channel | Literal["header"] = "reasoning" if in_reasoning else "answer"
        if fmt == "harmony":
            self._target = "header"
        self._header = ""
        # tags: a <think> opens reasoning only before any other text.
        self._begun = in_reasoning or fmt != "tags"
        # Blank lines between the markers and the text are layout, not content.
        self._started: dict[Channel, bool] = {"reasoning": False, "answer": fmt == "none"}
        self.reasoning_closed = False  # reasoning was opened and then ended

    @property
    def in_reasoning(self) -> bool:
        return self._target == "reasoning"

    def feed(self, piece: str) -> Delta:
        if not self._markers:
            return Delta("", piece)
        text = self._held + piece
        out = _Out()
        while MARKER_START in text:  # every marker starts with it: most pieces skip this
            index, marker = self._first_marker(text)
            if marker is None:
                break
            self._write(text[:index], out)
            text = text[index + len(marker) :]
            self._on_marker(marker, out)
        keep = 0
        if MARKER_START in text[-self._longest :]:
            keep = max(partial_marker_length(text, marker) for marker in self._markers)
        self._held = text[len(text) - keep :]
        self._write(text[: len(text) - keep], out)
        return out.delta()

    def close(self) -> Delta:
        """The text still held back, at the end of the answer."""
        out = _Out()
        held, self._held = self._held, ""
        self._write(held, out)
        if self._target == "header":
            self._flush_header(out)
        return out.delta()

    def _first_marker(self, text: str) -> tuple[int, str | None]:
        best, found = len(text), None
        for marker in self._markers:
            index = text.find(marker, 0, best + len(marker) - 1)
            if index != -1 and index < best:
                best, found = index, marker
        return best, found

    def _write(self, text: str, out: _Out) -> None:
        if not text:
            return
        if not self._begun and text.strip():
            self._begun = True
        if self._target == "header":
            self._add_to_header(text, out)
            return
        if not self._started[self._target]:
            text = text.lstrip()
            self._started[self._target] = bool(text)
        if text:
            out.parts[self._target].append(text)

    def _add_to_header(self, text: str, out: _Out) -> None:
        self._header += text
        if self.format == "gemma4" and "\n" in self._header:
            # "<|channel>thought\n": the channel's name ends at the line's end.
            name, _, rest = self._header.partition("\n")
            self._header = ""
            self._target = "reasoning" if name.strip() == "thought" else "answer"
            self._write(rest, out)
        elif not _header_plausible(self.format, self._header):
            self._flush_header(out, cut_off=False)

    def _flush_header(self, out: _Out, *, cut_off: bool = True) -> None:
        """Not a channel header after all: answer text, shown as written. A header that is
        merely `cut_off` (by the answer's end, or by a new message) is shown only if it
        holds more than markers and a channel's name."""
        header, self._header = self._header, ""
        self._target = "answer"
        if not (cut_off and _is_bare_header(self.format, header)):
            self._write(header, out)

    def _close_reasoning(self) -> None:
        if self._target == "reasoning":
            self.reasoning_closed = True
        self._target = "answer"

    def _on_marker(self, marker: str, out: _Out) -> None:
        if self.format == "tags":
            self._on_tag(marker, out)
        elif self.format == "harmony":
            self._on_harmony(marker, out)
        else:
            self._on_gemma4(marker, out)

    def _on_tag(self, marker: str, out: _Out) -> None:
        if marker == THINK_OPEN and not self._begun:
            self._begun = True
            self._target = "reasoning"
        elif marker == THINK_CLOSE and self._target == "reasoning":
            self._close_reasoning()
        else:  # a tag out of place is part of what the model wrote
            self._begun = True
            self._write(marker, out)

    def _on_harmony(self, marker: str, out: _Out) -> None:
        if marker == HARMONY_MESSAGE and self._target == "header":
            # "<|start|>assistant<|channel|>analysis": the channel's name, then options.
            channel = self._header.rpartition(HARMONY_CHANNEL)[2].split(" ")[0].strip()
            self._header = ""
            self._target = "reasoning" if channel == "analysis" else "answer"
        elif marker in (HARMONY_END, HARMONY_START, *HARMONY_STOPS):
            if self._target == "header":
                self._flush_header(out)
            self._close_reasoning()
            self._target = "header"
            self._header = HARMONY_START if marker == HARMONY_START else ""
        elif self._target == "header":  # <|channel|>, <|constrain|>: part of the header
            self._add_to_header(marker, out)
        else:
            self._write(marker, out)

    def _on_gemma4(self, marker: str, out: _Out) -> None:
        if marker == GEMMA4_OPEN and self._target == "answer":
            self._target = "header"
            self._header = ""
        elif marker == GEMMA4_CLOSE and self._target != "answer":
            self._header = ""
            self._close_reasoning()
        else:
            self._write(marker, out)


class _Out:
    """The text one call adds to each channel."""

    def __init__(self) -> None:
        self.parts: dict[Channel, list[str]] = {"reasoning": [], "answer": []}

    def delta(self) -> Delta:
        return Delta("".join(self.parts["reasoning"]), "".join(self.parts["answer"]))


def _header_plausible(fmt: ReasoningFormat, header: str) -> bool:
    """Whether `header` can still be (the start of) a channel header."""
    if len(header) > MAX_HEADER:
        return False
    if fmt == "gemma4":
        return True
    stripped = header.lstrip()
    return any(
        stripped.startswith(marker) or marker.startswith(stripped)
        for marker in (HARMONY_CHANNEL, HARMONY_START)
    )


def _is_bare_header(fmt: ReasoningFormat, header: str) -> bool:
    """A header cut off by the end of the answer: structure, not words to show."""
    if fmt == "gemma4":
        return not header.strip() or header.strip() == "thought"
    return not header.strip() or header.lstrip().startswith((HARMONY_CHANNEL, HARMONY_START))
