"""Import chats: LlamaDesk's own export, ChatGPT's ``conversations.json``, Open WebUI's export.

Foreign exports are turned into the app's own document (``core.chat_archive``) and imported
from there, so every import skips what is already there and runs in one transaction.

ChatGPT and Open WebUI both keep a conversation as a tree: every message names its parent,
a regenerated answer is a second child of the same prompt, and an edited prompt a second
child of the message before it. A tree becomes:
- regenerated answers: sibling answers of their prompt, the one on the shown path selected;
- edited prompts: one more conversation for each other line of prompts ("(branch 2)" ...),
  since a LlamaDesk conversation has one line of prompts.
Messages the user never saw as chat (tool calls and their output, hidden system messages)
are left out; ChatGPT's "thoughts" become the reasoning of the answer they led to.

ChatGPT (``conversations.json``): a list of ``{id|conversation_id, title, create_time,
update_time, mapping: {node: {message, parent, children}}, current_node}``; a message has
``author.role``, ``content.content_type`` ("text", "multimodal_text", "thoughts", ...) and
``content.parts``, ``create_time``, ``metadata.model_slug``. Open WebUI (Settings > Chats >
Export): a list of ``{id, title, chat: {history: {messages: {id: {parentId, childrenIds, role,
content, timestamp, model}}, currentId}}, created_at, updated_at}``.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llamadesk.core.chat_archive import (
    FORMAT,
    VERSION,
    ArchiveError,
    Document,
    ImportResult,
    import_document,
)
from llamadesk.core.store import Store

# ChatGPT's finish_details types, as our stop reasons.
_CHATGPT_STOPS = {"stop": "eos", "max_tokens": "length", "interrupted": "stopped"}


@dataclass
class _Node:
    """One message of a tree, in a shape common to ChatGPT and Open WebUI."""

    id: str
    parent: str | None
    role: str  # "user", "assistant", or anything else (left out)
    content: str
    created: float
    model: str = ""
    reasoning: str = ""
    stop_reason: str = "eos"
    children: list[str] = field(default_factory=list)


def read_import_file(path: Path) -> tuple[str, Document]:
    """The file's format in words and its conversations as our document.

    ``ArchiveError`` for a file that cannot be read or is none of the known formats.
    """
    try:
        data = json.loads(_read(path))
    except OSError as error:
        raise ArchiveError(f"Cannot read {path}: {error.strerror or error}") from None
    except ValueError:
        raise ArchiveError(f"{path.name} is not a JSON file.") from None
    if isinstance(data, dict) and data.get("format") == FORMAT:
        return "LlamaDesk", data
    items = data if isinstance(data, list) else [data]
    if items and all(isinstance(item, dict) and "mapping" in item for item in items):
        return "ChatGPT", _document([c for item in items for c in _chatgpt(item)])
    if items and all(
        isinstance(item, dict) and isinstance(item.get("chat"), dict) for item in items
    ):
        return "Open WebUI", _document([c for item in items for c in _open_webui(item)])
    raise ArchiveError(
        f"{path.name} is not a chat export LlamaDesk knows (LlamaDesk's own JSON, "
        "ChatGPT's conversations.json or Open WebUI's export)."
    )


def _read(path: Path) -> bytes:
    """The file's bytes; for a ZIP (ChatGPT's data export as downloaded), its
    ``conversations.json``."""
    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "conversations.json"]
            if not names:
                raise ArchiveError(f"{path.name} holds no conversations.json.")
            return archive.read(names[0])
    except zipfile.BadZipFile as error:
        raise ArchiveError(f"{path.name} is a damaged ZIP file: {error}") from None


def import_file(store: Store, path: Path) -> tuple[str, ImportResult]:
    """Import the chats in ``path``; its format in words and what was done."""
    kind, document = read_import_file(path)
    return kind, import_document(store, document)


def _document(conversations: list[dict[str, Any]]) -> Document:
    return {"format": FORMAT, "version": VERSION, "models": {}, "conversations": conversations}


# ChatGPT


def _chatgpt(item: dict[str, Any]) -> list[dict[str, Any]]:
    mapping = item.get("mapping")
    if not isinstance(mapping, dict):
        raise ArchiveError("A ChatGPT conversation has no 'mapping' object.")
    nodes: dict[str, _Node] = {}
    system = ""
    for key, entry in mapping.items():
        if not isinstance(entry, dict):
            raise ArchiveError("A ChatGPT 'mapping' entry is not an object.")
        node = _chatgpt_node(str(key), entry)
        if node.role == "system" and node.content and _is_user_system(entry):
            system = node.content  # the user's custom instructions
        nodes[node.id] = node
    created = _float(item.get("create_time"))
    base = {
        "title": str(item.get("title") or "ChatGPT chat"),
        "system_prompt": system,
        "created": created,
        "updated": _float(item.get("update_time"), created),
    }
    source = f"chatgpt:{item.get('conversation_id') or item.get('id') or created}"
    return _tree_conversations(nodes, item.get("current_node"), base, source)


def _is_user_system(entry: dict[str, Any]) -> bool:
    metadata = (entry.get("message") or {}).get("metadata") or {}
    return bool(metadata.get("is_user_system_message"))


def _chatgpt_node(key: str, entry: dict[str, Any]) -> _Node:
    message = entry.get("message") or {}
    author = message.get("author") or {}
    content = message.get("content") or {}
    metadata = message.get("metadata") or {}
    role = str(author.get("role") or "")
    kind = content.get("content_type", "text")
    text, reasoning = "", ""
    if kind in ("text", "multimodal_text"):
        text = "\n".join(part for part in content.get("parts") or [] if isinstance(part, str))
    elif kind == "thoughts":
        reasoning = "\n\n".join(
            str(t.get("content", "")) for t in content.get("thoughts") or [] if isinstance(t, dict)
        )
    if message.get("recipient", "all") != "all":
        role = "tool"  # a call to a tool, not an answer to the user
    finish = (metadata.get("finish_details") or {}).get("type", "stop")
    return _Node(
        id=key,
        parent=entry.get("parent"),
        role=role,
        content=text,
        created=_float(message.get("create_time")),
        model=str(metadata.get("model_slug") or ""),
        reasoning=reasoning,
        stop_reason=_CHATGPT_STOPS.get(finish, "eos"),
        children=[str(child) for child in entry.get("children") or []],
    )


# Open WebUI


def _open_webui(item: dict[str, Any]) -> list[dict[str, Any]]:
    chat = item["chat"]
    history = chat.get("history") or {}
    messages = history.get("messages")
    if not isinstance(messages, dict):
        raise ArchiveError("An Open WebUI chat has no 'history.messages' object.")
    nodes = {}
    for key, message in messages.items():
        if not isinstance(message, dict):
            raise ArchiveError("An Open WebUI message is not an object.")
        content = message.get("content")
        nodes[str(key)] = _Node(
            id=str(key),
            parent=message.get("parentId"),
            role=str(message.get("role") or ""),
            content=content if isinstance(content, str) else "",
            created=_float(message.get("timestamp")),
            model=str(message.get("model") or ""),
            children=[str(child) for child in message.get("childrenIds") or []],
        )
    created = _float(item.get("created_at"), _float(chat.get("timestamp")))
    system = chat.get("system") if isinstance(chat.get("system"), str) else ""
    base = {
        "title": str(item.get("title") or chat.get("title") or "Open WebUI chat"),
        "system_prompt": system,
        "created": created,
        "updated": _float(item.get("updated_at"), created),
    }
    source = f"open-webui:{item.get('id') or chat.get('id') or created}"
    return _tree_conversations(nodes, history.get("currentId"), base, source)


def _float(value: object, default: float = 0.0) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Open WebUI writes milliseconds in some places; seconds are below 1e11 until 5138.
        return float(value) / 1000 if value > 1e11 else float(value)
    return default


# Trees to conversations


class _Tree:
    """The messages a user saw, each linked to the nearest such message above it."""

    def __init__(self, nodes: dict[str, _Node]) -> None:
        self.nodes = nodes
        self.parent = {key: self._visible_parent(node) for key, node in nodes.items()}
        self.children: dict[str | None, list[str]] = {}
        for key, node in sorted(nodes.items(), key=lambda item: item[1].created):
            if self._visible(node):
                self.children.setdefault(self.parent[key], []).append(key)

    @staticmethod
    def _visible(node: _Node) -> bool:
        return node.role in ("user", "assistant") and bool(node.content.strip())

    def _visible_parent(self, node: _Node) -> str | None:
        seen: set[str] = set()
        key = node.parent
        while key is not None and key in self.nodes and key not in seen:
            seen.add(key)
            if self._visible(self.nodes[key]):
                return key
            key = self.nodes[key].parent
        return None

    def visible(self, key: str | None) -> str | None:
        """``key`` if the user saw it, else the nearest message above it that they saw."""
        if key is None or key not in self.nodes:
            return None
        return key if self._visible(self.nodes[key]) else self.parent[key]

    def leaves(self) -> list[str]:
        shown = [key for keys in self.children.values() for key in keys]
        return [key for key in shown if not self.children.get(key)]

    def hidden_reasoning(self, key: str) -> list[str]:
        """Reasoning in unshown messages just above ``key`` (ChatGPT's "thoughts" nodes)."""
        found, current = [], self.nodes[key].parent
        while current is not None and current in self.nodes:
            node = self.nodes[current]
            if self._visible(node):
                break
            if node.reasoning:
                found.append(node.reasoning)
            current = node.parent
        return found[::-1]

    def path(self, key: str) -> list[str]:
        line = []
        current: str | None = key
        while current is not None:
            line.append(current)
            current = self.parent[current]
        return line[::-1]


def _tree_conversations(
    nodes: dict[str, _Node], current: object, base: dict[str, Any], source: str
) -> list[dict[str, Any]]:
    tree = _Tree(nodes)
    leaves = tree.leaves()
    if not leaves:
        return []
    main = tree.visible(str(current)) if current is not None else None
    ends = [main or leaves[-1], *leaves]
    lines: list[tuple[tuple[str, ...], list[str]]] = []
    for end in ends:
        path = tree.path(end)
        prompts = tuple(key for key in path if nodes[key].role == "user")
        if any(prompts == other[: len(prompts)] for other, _ in lines):
            continue  # the same prompts as a line already made (or fewer of them)
        lines.append((prompts, path))
    conversations = []
    for number, (prompts, path) in enumerate(lines, start=1):
        conversation = dict(base)
        if number > 1:
            conversation["title"] = f"{base['title']} (branch {number})"
        conversation["source_id"] = source if number == 1 else f"{source}#{prompts[-1]}"
        conversation |= _line_messages(tree, prompts, set(path))
        conversations.append(conversation)
    return conversations


def _line_messages(tree: _Tree, prompts: tuple[str, ...], on_path: set[str]) -> dict[str, Any]:
    """The messages of one line of prompts: each prompt, then all its answers."""
    messages: list[dict[str, Any]] = []
    for prompt_key in prompts:
        prompt = tree.nodes[prompt_key]
        place = len(messages)
        messages.append({"role": "user", "content": prompt.content, "created": prompt.created})
        for answer_key in tree.children.get(prompt_key, []):
            if tree.nodes[answer_key].role == "assistant":
                messages.append(_answer(tree, answer_key, place, answer_key in on_path))
    return {
        "messages": messages,
        "kind": "chat",
        "sampling": {},
        "rankings": [],
        "comparisons": [],
    }


def _answer(tree: _Tree, key: str, parent: int, selected: bool) -> dict[str, Any]:
    """An answer with what follows it without a prompt between (ChatGPT's multi-part answers)."""
    parts, reasoning, node = [], [], tree.nodes[key]
    first = node
    while True:
        parts.append(node.content)
        reasoning += tree.hidden_reasoning(node.id)
        following = [k for k in tree.children.get(node.id, []) if tree.nodes[k].role == "assistant"]
        if not following:
            break
        node = tree.nodes[following[0]]
    return {
        "role": "assistant",
        "content": "\n\n".join(parts),
        "created": first.created,
        "parent": parent,
        "selected": selected,
        "model": first.model,
        "params": {},
        "seed": None,
        "stats": {},
        "stop_reason": node.stop_reason,
        "reasoning": "\n\n".join(reasoning),
    }
