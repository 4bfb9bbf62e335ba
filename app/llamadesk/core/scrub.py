"""Find private details in exported text and replace them before a data set is shared.

Four kinds: email addresses, phone numbers, file paths that name a user (``/home/ana/``,
``/Users/ana/``, ``C:\\Users\\ana\\``) and API keys or tokens (OpenAI, Anthropic, Hugging
Face, GitHub, AWS, Slack, Google, and ``api_key=...`` style assignments). Each is replaced by
a placeholder saying what was there, so a sentence still reads. Patterns err on the side of
finding too much: a replaced phone-like number costs less than a shared real one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Order matters: keys before phones (a key may hold digit runs), paths before emails.
_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "API key",
        re.compile(
            r"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{30,}"
            r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|AKIA[0-9A-Z]{16}"
            r"|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})"
        ),
        "[API key]",
    ),
    (
        "API key",
        re.compile(
            r"(?i)\b((?:api[_-]?key|secret|token|password|passwd)\s*[:=]\s*[\"']?)"
            r"([^\s\"']{8,})"
        ),
        r"\1[API key]",
    ),
    (
        "path with a user name",
        re.compile(r"(/home/|/Users/|[A-Za-z]:\\\\?Users\\\\?)([^/\\\s]+)"),
        r"\1[user]",
    ),
    (
        "email",
        re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
        "[email]",
    ),
    (
        "phone number",
        # +44 20 7946 0958, (555) 123-4567, 555-123-4567, 0151 496 0000: 9 to 15 digits with
        # the usual separators, not part of a longer number.
        re.compile(
            r"(?<!\w)(?<!\d\.)(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?"
            r"\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?!\w)(?!\.\d)"
        ),
        "[phone]",
    ),
)


@dataclass(frozen=True)
class Finding:
    """One private detail: its kind, the text found, and what replaces it."""

    kind: str
    found: str
    replacement: str


def scrub_text(text: str) -> tuple[str, list[Finding]]:
    """``text`` with every private detail replaced, and what was replaced."""
    findings: list[Finding] = []
    for kind, pattern, replacement in _PATTERNS:

        def replace(match: re.Match[str], kind: str = kind, replacement: str = replacement) -> str:
            new = match.expand(replacement)
            # A bare digit run of under 9 digits is a number, not a phone.
            if kind == "phone number" and sum(c.isdigit() for c in match[0]) < 9:
                return match[0]
            findings.append(Finding(kind, match[0], new))
            return new

        text = pattern.sub(replace, text)
    return text, findings


@dataclass(frozen=True)
class ScrubReport:
    """What a scrub found in a set of rows: counts by kind and every finding, in order."""

    findings: tuple[Finding, ...]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(finding.kind for finding in self.findings))

    def distinct(self) -> list[tuple[Finding, int]]:
        """Each different finding once, in the order first found, with how often it was found
        (a prompt is repeated in the history of every later turn)."""
        return list(Counter(self.findings).items())

    def describe(self) -> str:
        if not self.findings:
            return "nothing found"
        return ", ".join(f"{count} × {kind}" for kind, count in sorted(self.counts.items()))


# Columns of the exports that hold what people and models wrote.
_TEXT_COLUMNS = frozenset(
    {
        "prompt",
        "chosen",
        "rejected",
        "completion",
        "conversation_a",
        "conversation_b",
        "comment",
        "chosen_reasoning",
        "rejected_reasoning",
        "completion_reasoning",
        "reasoning_a",
        "reasoning_b",
    }
)


def scrub_rows(rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], ScrubReport]:
    """Copies of export rows with private details replaced in every text column."""
    findings: list[Finding] = []
    cleaned = []
    for row in rows:
        new = dict(row)
        for column in _TEXT_COLUMNS & row.keys():
            new[column] = _scrub_value(row[column], findings)
        cleaned.append(new)
    return cleaned, ScrubReport(tuple(findings))


def _scrub_value(value: Any, findings: list[Finding]) -> Any:
    if isinstance(value, str):
        text, found = scrub_text(value)
        findings.extend(found)
        return text
    if isinstance(value, list):
        return [_scrub_value(item, findings) for item in value]
    if isinstance(value, dict):
        # Chat turns: scrub what was said, never the role.
        return {k: v if k == "role" else _scrub_value(v, findings) for k, v in value.items()}
    return value
