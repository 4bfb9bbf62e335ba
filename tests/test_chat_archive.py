"""Chats out and in: the lossless JSON round trip, Markdown, HTML, and the CLI."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llamadesk.cli import main
from llamadesk.core.chat_archive import (
    ArchiveError,
    export_document,
    import_document,
)
from llamadesk.core.chat_render import export_chats, to_html, to_markdown
from llamadesk.core.model_files import ModelFile, folder_lookup
from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.core.preferences import ExportError
from llamadesk.core.ratings import Ratings
from llamadesk.core.store import Store
from llamadesk.ui.palette import DARK, LIGHT

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def fill(store: Store) -> dict[str, int]:
    """A chat with regenerated answers, reasoning, every kind of rating; and a compare vote."""
    ratings = Ratings(store)
    chat = store.create_conversation("Sky", system_prompt="Be brief.")
    store.set_conversation_sampling(chat.id, {"temperature": 0.2})
    prompt = store.add_user_message(chat.id, "Why is the sky blue?")
    stats = {"tokens_per_second": 41.5, "ttft_ms": 120.0, "completion_tokens": 56, "seed": 7}
    first = store.add_answer(
        chat.id,
        prompt.id,
        "Rayleigh scattering.",
        model="SmolLM2-Q4_1.gguf",
        params={"temperature": 0.7, "top_p": 0.9},
        seed=7,
        stats=stats,
        stop_reason="eos",
        reasoning="Short wavelengths scatter more.",
    )
    second = store.add_answer(
        chat.id,
        prompt.id,
        "Because of the sea.",
        model="SmolLM2-Q4_1.gguf",
        params={"temperature": 0.7},
        seed=8,
        stats={},
        stop_reason="length",
    )
    store.select_answer(first.id)
    ratings.set_thumbs(first.id, 1, tags=["correct"], comment="good")
    ratings.set_thumbs(second.id, -1, tags=["wrong"], rewrite="Rayleigh scattering of sunlight.")
    ratings.pick_best(first.id)
    follow = store.add_user_message(chat.id, HOSTILE)
    store.add_answer(
        chat.id,
        follow.id,
        HOSTILE,
        model="x.gguf",
        params={},
        seed=None,
        stats={},
        stop_reason="eos",
    )
    compare = store.create_conversation("Compare", kind="compare")
    question = store.add_user_message(compare.id, "2+2?")
    a, b = (
        store.add_answer(
            compare.id,
            question.id,
            text,
            model=model,
            params={},
            seed=1,
            stats={},
            stop_reason="eos",
        )
        for text, model in (("4", "big.gguf"), ("5", "small.gguf"))
    )
    ratings.vote(a.id, b.id, "model_a", strength="much")
    return {"chat": chat.id, "compare": compare.id, "first": first.id}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "one.sqlite3") as opened:
        fill(opened)
        yield opened


def without_date(document: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in document.items() if key != "exported"}


def test_json_round_trip_through_an_empty_data_folder_is_lossless(
    store: Store, tmp_path: Path
) -> None:
    first = export_document(store)
    text = json.loads(json.dumps(first))  # as written to and read from a file
    with Store(tmp_path / "empty.sqlite3") as fresh:
        result = import_document(fresh, text)
        assert (result.conversations, result.messages) == (2, 8)
        second = export_document(fresh)
        # What the app reads from it is the same too: the thread, ratings, reasoning.
        chat = fresh.list_conversations()[0]
        assert [m.content for m in fresh.thread(chat.id)][:2] == [
            "Why is the sky blue?",
            "Rayleigh scattering.",
        ]
        assert fresh.thread(chat.id)[1].reasoning == "Short wavelengths scatter more."
        assert len(Ratings(fresh).all_thumbs()) == 2
        assert Ratings(fresh).comparisons()[0].strength == "much"
    assert without_date(second) == without_date(first)
    sky = first["conversations"][0]
    assert sky["messages"][1]["thumbs"]["value"] == 1
    assert sky["messages"][2]["thumbs"]["rewrite"] == "Rayleigh scattering of sunlight."
    assert sky["rankings"] == [
        {
            "prompt": 0,
            "kind": "pick",
            "answers": [1, 2],
            "ranks": [0, 1],
            "created": sky["rankings"][0]["created"],
            "updated": sky["rankings"][0]["updated"],
        }
    ]


def test_importing_twice_adds_nothing_and_keeps_stored_ratings(
    store: Store, tmp_path: Path
) -> None:
    document = export_document(store)
    first_id = store.list_conversations()[0].id
    answer = store.thread(first_id)[1]
    # The user changes a rating after exporting; importing the old export must not undo it.
    Ratings(store).set_thumbs(answer.id, -1, tags=["wrong"])
    result = import_document(store, document)
    assert (result.conversations, result.skipped_conversations, result.skipped_messages) == (
        0,
        2,
        8,
    )
    assert Ratings(store).thumbs(answer.id).value == -1
    with Store(tmp_path / "other.sqlite3") as other:
        assert import_document(other, document).conversations == 2
        assert import_document(other, document).conversations == 0
        assert other.count_conversations() == 1


def test_a_broken_document_imports_nothing(store: Store, tmp_path: Path) -> None:
    document = export_document(store)
    broken = json.loads(json.dumps(document))
    # The second conversation refers to an answer that does not exist.
    broken["conversations"][1]["comparisons"][0]["b"] = 99
    with Store(tmp_path / "empty.sqlite3") as fresh:
        with pytest.raises(ArchiveError, match="Conversation 2: refers to message 99"):
            import_document(fresh, broken)
        assert fresh.count_conversations() == 0  # the first was rolled back with it
        with pytest.raises(ArchiveError, match="not a LlamaDesk chat export"):
            import_document(fresh, {"conversations": []})
        two_shown = json.loads(json.dumps(document))
        for message in two_shown["conversations"][0]["messages"]:
            message["selected"] = True
        with pytest.raises(ArchiveError, match="inconsistent"):
            import_document(fresh, two_shown)
        assert fresh.count_conversations() == 0


def test_model_file_facts_travel_with_the_export(store: Store, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "SmolLM2-Q4_1.gguf").write_bytes(b"not really a model")
    document = export_document(store, lookup=folder_lookup([models]))
    facts = document["models"]["SmolLM2-Q4_1.gguf"]
    assert facts["sha256"] == hashlib.sha256(b"not really a model").hexdigest()
    assert facts["size"] == len(b"not really a model")
    assert document["models"]["x.gguf"] == ModelFile("x.gguf").as_dict()  # not at hand
    with Store(tmp_path / "empty.sqlite3") as fresh:
        import_document(fresh, document)
        # The new folder has no model files; the facts came with the import.
        assert export_document(fresh)["models"]["SmolLM2-Q4_1.gguf"] == facts


def test_markdown_has_model_settings_speed_and_every_answer(store: Store) -> None:
    text = to_markdown(export_document(store))
    assert "# Sky" in text
    assert "### SmolLM2-Q4_1.gguf · answer 1 of 2 (shown)" in text
    assert "temperature 0.7, top-p 0.9, seed 7" in text
    assert "41.5 tokens/s, 120 ms to first token, 56 tokens" in text
    assert "Because of the sea." in text
    assert "ended: length" in text
    assert "Short wavelengths scatter more." in text


class _Tags(HTMLParser):
    """The elements and attributes a browser would make of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_html_is_self_contained_and_escapes_a_hostile_chat(store: Store) -> None:
    page = to_html(export_document(store))
    parsed = _Tags()
    parsed.feed(page)
    # The hostile message made no element: only the page's own, with no script, image,
    # link or event handler among them.
    assert parsed.tags == {
        "html", "head", "meta", "title", "style", "body", "main", "section", "h1", "div",
        "details", "summary", "hr",
    }  # fmt: skip
    assert parsed.attributes == {"lang", "charset", "http-equiv", "content", "class"}
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "default-src 'none'" in page  # nothing loads, nothing runs
    assert "Rayleigh scattering." in page
    assert "41.5 tokens/s" in page


def test_html_without_the_apps_colours_takes_the_browsers_for_its_scheme(store: Store) -> None:
    page = to_html(export_document(store))
    assert "color-scheme:light dark" in page
    assert "--background:Canvas" in page
    assert "--text:CanvasText" in page


def test_cli_html_export_has_the_apps_light_and_dark_colours(
    home_store: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "chats.html"
    assert main(["chats", "export", "--format", "html", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    light, dark = page.split("prefers-color-scheme:dark", 1)
    assert f"--background:{LIGHT.window}" in light
    assert f"--background:{DARK.window}" in dark


def test_export_to_an_unwritable_place_leaves_nothing(store: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    before = sorted(tmp_path.iterdir())
    with pytest.raises(ExportError, match="Cannot write"):
        export_chats(store, "json", blocker / "chats.json")  # a file where a folder should be
    with pytest.raises(ExportError, match="Cannot write"):
        export_chats(store, "html", tmp_path)  # a folder where the file should be
    assert sorted(tmp_path.iterdir()) == before


@pytest.fixture
def home_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    with Store(app_paths().database) as store:
        return fill(store)


def test_cli_exports_one_conversation_and_imports_it_elsewhere(
    home_store: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "sky.json"
    args = ["chats", "export", "--format", "json", "--out", str(out)]
    assert main([*args, "--id", str(home_store["chat"])]) == 0
    assert "Wrote 1 conversation (5 messages)" in capsys.readouterr().out
    assert [c["title"] for c in json.loads(out.read_text())["conversations"]] == ["Sky"]
    for kind in ("md", "html"):
        assert (
            main(["chats", "export", "--format", kind, "--out", str(tmp_path / f"a.{kind}")]) == 0
        )
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "elsewhere"))
    assert main(["chats", "import", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "LlamaDesk export: Imported 1 conversation (5 messages)."
    )
    assert main(["chats", "import", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (
        "LlamaDesk export: Imported 0 conversations (0 messages);"
        " skipped 1 already there (5 messages)."
    )
    with closing(sqlite3.connect(app_paths().database)) as db:
        assert db.execute("SELECT count(*) FROM conversations").fetchone() == (1,)


def test_cli_refuses_bad_input_in_one_line(
    home_store: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert main(["chats", "import", str(junk)]) == 2
    assert capsys.readouterr().err.strip() == "llamadesk: junk.json is not a JSON file."
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}')
    assert main(["chats", "import", str(foreign)]) == 2
    assert "is not a chat export LlamaDesk knows" in capsys.readouterr().err
    out = tmp_path / "x.md"
    assert main(["chats", "export", "--format", "md", "--out", str(out), "--id", "999"]) == 2
    assert capsys.readouterr().err.strip() == "llamadesk: No conversation 999"
    assert not out.exists()
