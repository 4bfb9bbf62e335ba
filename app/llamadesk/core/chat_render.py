"""Chats for people to read: Markdown, and one self-contained HTML file that looks like the chat.

Both are made from the archive document (``core.chat_archive``), so they show exactly what
the JSON export holds: every answer to a prompt (the shown one marked), with the model,
its settings and its speed under each, reasoning in a closed section, and ratings.

The HTML escapes every piece of text it did not write itself: a chat whose messages hold
markup or script shows that markup as text and runs nothing. It loads nothing either.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

from llamadesk.core.chat_archive import Document, document_json, export_document
from llamadesk.core.model_files import ModelLookup, no_lookup
from llamadesk.core.preferences import write_atomic
from llamadesk.core.store import Store

# The sampling settings worth a reader's eye, in the order shown, with their labels.
_SETTINGS = (
    ("temperature", "temperature"),
    ("top_p", "top-p"),
    ("top_k", "top-k"),
    ("min_p", "min-p"),
    ("repeat_penalty", "repeat penalty"),
    ("max_tokens", "max tokens"),
)
_THUMBS = {1: "rated good", -1: "rated bad"}


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def settings_line(answer: dict[str, Any]) -> str:
    """ "temperature 0.7, top-p 0.9, seed 42": the settings an answer was written with."""
    params = answer.get("params", {})
    parts = [f"{label} {params[key]:g}" for key, label in _SETTINGS if key in params]
    seed = answer.get("seed")
    if seed is None:
        seed = answer.get("stats", {}).get("seed")
    if seed is not None and seed >= 0:
        parts.append(f"seed {seed}")
    return ", ".join(parts)


def speed_line(answer: dict[str, Any]) -> str:
    """ "42.0 tokens/s, 120 ms to first token, 56 tokens": how fast an answer came."""
    stats = answer.get("stats", {})
    parts = []
    if "tokens_per_second" in stats:
        parts.append(f"{stats['tokens_per_second']:.1f} tokens/s")
    if "ttft_ms" in stats:
        parts.append(f"{stats['ttft_ms']:.0f} ms to first token")
    if "completion_tokens" in stats:
        parts.append(f"{stats['completion_tokens']} tokens")
    if answer.get("stop_reason") not in (None, "", "eos"):
        parts.append(f"ended: {answer['stop_reason']}")
    return ", ".join(parts)


def _answers_by_prompt(messages: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    answers: dict[int, list[dict[str, Any]]] = {}
    for message in messages:
        if message["role"] == "assistant":
            answers.setdefault(message["parent"], []).append(message)
    return answers


def _turns(conversation: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each prompt with all its answers, in the order written."""
    messages = conversation["messages"]
    answers = _answers_by_prompt(messages)
    return [
        (message, answers.get(place, []))
        for place, message in enumerate(messages)
        if message["role"] == "user"
    ]


def _rating(answer: dict[str, Any]) -> str:
    thumbs = answer.get("thumbs")
    if not thumbs:
        return ""
    text = _THUMBS.get(thumbs["value"], "")
    if thumbs.get("tags"):
        text += f" ({', '.join(thumbs['tags'])})"
    return text


def _answer_label(answer: dict[str, Any], place: int, count: int) -> str:
    label = answer.get("model") or "Assistant"
    if count > 1:
        label += f" · answer {place} of {count}" + (" (shown)" if answer.get("selected") else "")
    return label


# Markdown


def to_markdown(document: Document) -> str:
    """All conversations of ``document`` as one Markdown text."""
    return "\n\n---\n\n".join(_markdown_conversation(c) for c in document["conversations"]) + "\n"


def _markdown_conversation(conversation: dict[str, Any]) -> str:
    lines = [f"# {conversation['title']}", "", f"*{_when(conversation['created'])}*"]
    if conversation.get("system_prompt"):
        lines += ["", "**System prompt:**", "", _quote(conversation["system_prompt"])]
    for prompt, answers in _turns(conversation):
        lines += ["", f"## You · {_when(prompt['created'])}", "", prompt["content"]]
        for place, answer in enumerate(answers, start=1):
            lines += ["", f"### {_answer_label(answer, place, len(answers))}", ""]
            details = [d for d in (settings_line(answer), speed_line(answer), _rating(answer)) if d]
            if details:
                lines += [f"*{' · '.join(details)}*", ""]
            if answer.get("reasoning"):
                lines += [
                    "<details><summary>Reasoning</summary>",
                    "",
                    answer["reasoning"],
                    "",
                    "</details>",
                    "",
                ]
            lines.append(answer["content"])
            rewrite = (answer.get("thumbs") or {}).get("rewrite")
            if rewrite:
                lines += ["", "**Your better answer:**", "", _quote(rewrite)]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


# HTML


@dataclass(frozen=True)
class PageColours:
    """The colours of one theme of an HTML export, as CSS colours ("#rrggbb")."""

    background: str
    text: str
    muted: str  # dates, settings, speeds, reasoning
    border: str  # an answer's border, the rule between conversations
    quote: str  # the bar beside a system prompt
    user: str  # the user's messages
    answer: str  # the answers


# A light and a dark theme: the file is read later, maybe elsewhere and by someone else, so
# the reader's own light or dark setting picks one (``prefers-color-scheme``), not the
# theme the app had when it wrote the file. Printing takes the light one.
HtmlColours = tuple[PageColours, PageColours]

# Without the app's palette (core knows none): the browser's own colours for its scheme.
_BROWSER_COLOURS = PageColours(
    background="Canvas",
    text="CanvasText",
    muted="GrayText",
    border="GrayText",
    quote="GrayText",
    user="Canvas",
    answer="Canvas",
)

_STYLE = """
body{margin:0;background:var(--background);color:var(--text);font:15px/1.5 system-ui,
-apple-system,"Segoe UI",sans-serif}
main{max-width:760px;margin:0 auto;padding:24px 16px}
h1{font-size:22px;margin:32px 0 4px}
.meta{color:var(--muted);font-size:12px}
.system{border-left:3px solid var(--quote);padding:4px 12px;color:var(--muted);margin:12px 0}
.msg{border-radius:12px;padding:10px 14px;margin:12px 0;white-space:pre-wrap;
overflow-wrap:anywhere}
.user{background:var(--user);margin-left:15%}
.assistant{background:var(--answer);border:1px solid var(--border);margin-right:15%}
.assistant.other{opacity:.75}
.who{font-weight:600;font-size:13px;margin-bottom:4px;white-space:normal}
details{color:var(--muted);margin-bottom:6px;white-space:pre-wrap}
hr{border:0;border-top:1px solid var(--border);margin:32px 0}
"""


def _variables(colours: PageColours) -> str:
    return ";".join(f"--{name}:{value}" for name, value in asdict(colours).items())


def _style(colours: HtmlColours | None) -> str:
    """The page's style: light, and dark where the reader's screen is set to dark."""
    if colours is None:
        return f":root{{color-scheme:light dark;{_variables(_BROWSER_COLOURS)}}}{_STYLE}"
    light, dark = colours
    return (
        f":root{{color-scheme:light;{_variables(light)}}}\n"
        "@media screen and (prefers-color-scheme:dark){"
        f":root{{color-scheme:dark;{_variables(dark)}}}}}{_STYLE}"
    )


def to_html(
    document: Document, title: str = "LlamaDesk chats", colours: HtmlColours | None = None
) -> str:
    """All conversations of ``document`` as one HTML page with nothing to load, in
    ``colours`` (light, dark; the app's palette), else in the browser's own colours."""
    body = "\n<hr>\n".join(_html_conversation(c) for c in document["conversations"])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        # No script may run and nothing may load, whatever the text says.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>{_style(colours)}</style></head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def _html_conversation(conversation: dict[str, Any]) -> str:
    escape = html.escape
    parts = [
        f"<section><h1>{escape(conversation['title'])}</h1>",
        f'<div class="meta">{escape(_when(conversation["created"]))}</div>',
    ]
    if conversation.get("system_prompt"):
        parts.append(f'<div class="system">{escape(conversation["system_prompt"])}</div>')
    for prompt, answers in _turns(conversation):
        parts.append(
            f'<div class="msg user"><div class="who">You · '
            f"{escape(_when(prompt['created']))}</div>{escape(prompt['content'])}</div>"
        )
        for place, answer in enumerate(answers, start=1):
            parts.append(_html_answer(answer, place, len(answers)))
    parts.append("</section>")
    return "\n".join(parts)


def _html_answer(answer: dict[str, Any], place: int, count: int) -> str:
    escape = html.escape
    shown = answer.get("selected") or count == 1
    details = [d for d in (settings_line(answer), speed_line(answer), _rating(answer)) if d]
    meta = f'<div class="meta">{escape(" · ".join(details))}</div>' if details else ""
    reasoning = ""
    if answer.get("reasoning"):
        reasoning = f"<details><summary>Reasoning</summary>{escape(answer['reasoning'])}</details>"
    return (
        f'<div class="msg assistant{"" if shown else " other"}">'
        f'<div class="who">{escape(_answer_label(answer, place, count))}</div>{meta}'
        f"{reasoning}{escape(answer['content'])}</div>"
    )


# Writing


ChatFormat = Literal["md", "json", "html"]
CHAT_FORMATS: tuple[str, ...] = get_args(ChatFormat)


@dataclass(frozen=True)
class ChatExport:
    """What a chat export wrote: ``conversations`` with ``messages`` in all to ``path``."""

    path: Path
    conversations: int
    messages: int


def render(document: Document, kind: ChatFormat, colours: HtmlColours | None = None) -> bytes:
    """The document as the bytes of a file of format ``kind`` (HTML in ``colours``)."""
    if kind == "json":
        return document_json(document)
    text = to_markdown(document) if kind == "md" else to_html(document, colours=colours)
    return text.encode("utf-8")


def export_chats(
    store: Store,
    kind: ChatFormat,
    out: Path,
    conversation_ids: Sequence[int] | None = None,
    lookup: ModelLookup = no_lookup,
    colours: HtmlColours | None = None,
) -> ChatExport:
    """Write these conversations (None: all) to ``out`` in format ``kind``, atomically;
    HTML in ``colours`` (see `to_html`).

    ``ExportError`` if the file cannot be written (nothing is left behind); ``NotFound``
    for an unknown conversation id.
    """
    document = export_document(store, conversation_ids, lookup)
    write_atomic(render(document, kind, colours), out)
    conversations = document["conversations"]
    messages = sum(len(conversation["messages"]) for conversation in conversations)
    return ChatExport(out, len(conversations), messages)
