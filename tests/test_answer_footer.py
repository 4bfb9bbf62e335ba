"""The line under an answer: what it cost, in words."""

from __future__ import annotations

from llamadesk.core.answer_stats import AnswerStats
from llamadesk.ui.chat_view import describe_stats


def stats(prompt_tokens: int, server: str = "") -> AnswerStats:
    return AnswerStats(
        prompt_tokens=prompt_tokens,
        completion_tokens=90,
        ttft_ms=347.4,
        total_ms=7000.0,
        tokens_per_second=13.2,
        stop_reason="length",
        seed=2,
        server=server,
    )


def test_a_local_answer_says_its_tokens_in_and_out() -> None:
    line = describe_stats(stats(38), "length")
    assert line.split("  ·  ") == [
        "13.2 tokens/s",
        "347 ms to first token",
        "38 in / 90 out",
        "hit the length limit",
    ]


def test_a_server_that_did_not_count_the_prompt_is_not_said_to_have_read_none() -> None:
    line = describe_stats(stats(0, server="http://127.0.0.1:8080/v1"), "length")
    assert "0 in" not in line
    assert "90 out" in line.split("  ·  ")
    assert "41 in / 90 out" in describe_stats(stats(41, server="http://gpu-box/v1"), "")
