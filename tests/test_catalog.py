"""The curated catalog, its validation, and grouping a repository's files into variants."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from llamadesk.core.catalog import (
    CONFIDENCE_LEVELS,
    REASONING_FORMATS,
    SIZE_RANGES,
    CatalogEntry,
    RepoFile,
    families,
    group_variants,
    load_catalog,
    recommend_variant,
    safe_repo_path,
    search_catalog,
)
from llamadesk.core.memory import SystemMemory, estimate_memory
from llamadesk.core.quants import estimated_file_size, quant_level

GB = 1_000_000_000


@pytest.fixture(scope="module")
def bundled() -> tuple[CatalogEntry, ...]:
    catalog = load_catalog()
    assert catalog.problems == ()
    return catalog.entries


def test_bundled_catalog_spans_sizes_and_families(bundled: tuple[CatalogEntry, ...]) -> None:
    assert len(bundled) >= 20
    assert len({entry.id for entry in bundled}) == len(bundled)
    assert {"Qwen", "Llama", "Gemma", "Phi", "Mistral", "SmolLM"} <= set(families(bundled))
    sizes = [entry.parameters for entry in bundled]
    assert min(sizes) <= 350_000_000
    assert max(sizes) >= 30_000_000_000
    for label, low, high in SIZE_RANGES:
        assert any(low <= size < high for size in sizes), label


def test_bundled_entries_are_plausible(bundled: tuple[CatalogEntry, ...]) -> None:
    for entry in bundled:
        dims = entry.dimensions
        assert entry.repo.endswith("-GGUF"), entry.id
        assert all(mirror.endswith("-GGUF") for mirror in entry.mirrors), entry.id
        assert dims.heads % dims.kv_heads == 0, entry.id
        # The embedding matrices alone must not outweigh the whole model.
        assert dims.vocab * dims.embedding < entry.parameters, entry.id
        assert 0 < entry.active_parameters <= entry.parameters, entry.id
        assert entry.reasoning in REASONING_FORMATS, entry.id
        assert entry.confidence in CONFIDENCE_LEVELS, entry.id
        # What is not confirmed says what is in doubt, or is merely likely.
        assert entry.confidence != "unverified" or entry.note, entry.id
        assert dims.sliding_layers <= (dims.kv_layers or dims.layers) <= dims.layers, entry.id
        assert bool(dims.sliding_window) == bool(dims.sliding_layers), entry.id


def llama_cpp_library() -> bytes:
    """The bundled llama.cpp library, whose string table names the architectures it runs."""
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None
    assert spec.submodule_search_locations
    lib_dir = Path(spec.submodule_search_locations[0]) / "lib"
    return next(
        p for p in lib_dir.iterdir() if p.name.startswith(("libllama.", "llama."))
    ).read_bytes()


def test_bundled_architectures_run_in_the_engine_we_ship(
    bundled: tuple[CatalogEntry, ...],
) -> None:
    library = llama_cpp_library()

    def known(name: str) -> bool:
        # The linker may store a name as the tail of a longer string: look for its end only.
        return name.encode() + b"\x00" in library

    assert not known("no-such-architecture")
    for entry in bundled:
        assert known(entry.architecture), entry.id


def test_bundled_catalog_is_current(bundled: tuple[CatalogEntry, ...]) -> None:
    """MODELS-2026.md section 3: Gemma 2 is out (its template refuses a system prompt), and the
    mixtures of experts that run at small-model speed are in."""
    assert not any(entry.architecture == "gemma2" for entry in bundled)
    moe = {entry.id for entry in bundled if entry.mixture_of_experts}
    assert {
        "qwen3-30b-a3b-instruct-2507",
        "gpt-oss-20b",
        "granite-4.0-h-tiny",
        "lfm2-8b-a1b",
    } <= moe
    formats = {entry.reasoning for entry in bundled}
    assert formats == set(REASONING_FORMATS)
    assert any(entry.vision for entry in bundled)
    gpt_oss = next(entry for entry in bundled if entry.id == "gpt-oss-20b")
    assert (gpt_oss.default_quant, gpt_oss.reasoning) == ("MXFP4", "harmony")


def test_a_mixture_of_experts_fits_by_total_and_runs_by_active(
    bundled: tuple[CatalogEntry, ...],
) -> None:
    qwen = next(entry for entry in bundled if entry.id == "qwen3-30b-a3b-instruct-2507")
    assert qwen.active_parameters * 9 < qwen.parameters
    q4 = quant_level("Q4_K_M")
    (variant,) = group_variants(
        qwen.repo, [RepoFile("Qwen3-30B-A3B-Q4_K_M.gguf", estimated_file_size(qwen.parameters, q4))]
    )
    assert qwen.model_spec(variant).parameter_count == qwen.parameters


def good_entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "tiny-chat",
        "name": "Tiny Chat",
        "family": "Tiny",
        "repo": "someone/Tiny-Chat-GGUF",
        "parameters": 1_000_000_000,
        "architecture": "llama",
        "context_length": 4096,
        "license": "MIT",
        "description": "A test entry.",
        "default_quant": "Q4_K_M",
        "active_parameters": 1_000_000_000,
        "reasoning": "none",
        "vision": False,
        "gated": False,
        "confidence": "likely",
        "dimensions": {
            "layers": 16,
            "embedding": 2048,
            "heads": 32,
            "kv_heads": 8,
            "head_dim": 64,
            "vocab": 32000,
        },
        "sampling": {"temperature": 0.6, "top_k": 40},
    }
    entry.update(changes)
    return entry


def write_catalog(tmp_path: Path, models: list[Any]) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"models": models}), encoding="utf-8")
    return path


def test_a_good_entry_loads(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, [good_entry()]))
    assert catalog.problems == ()
    (entry,) = catalog.entries
    assert entry.repo == "someone/Tiny-Chat-GGUF"
    assert entry.dimensions.tied_embeddings is False
    assert entry.sampling is not None
    assert (entry.sampling.temperature, entry.sampling.top_k) == (0.6, 40)


def without(key: str) -> dict[str, Any]:
    entry = good_entry()
    del entry[key]
    return entry


def with_dimension(key: str, value: Any) -> dict[str, Any]:
    entry = good_entry()
    entry["dimensions"] = copy.deepcopy(entry["dimensions"]) | {key: value}
    return entry


@pytest.mark.parametrize(
    ("broken", "field", "reason"),
    [
        (without("repo"), "repo", "must be a non-empty text, not nothing"),
        (good_entry(repo="no-slash"), "repo", "must be a Hugging Face repository id"),
        (good_entry(repo="../etc/passwd"), "repo", "must be a Hugging Face repository id"),
        (good_entry(parameters="7B"), "parameters", 'must be a whole number above 0, not "7B"'),
        (good_entry(parameters=True), "parameters", "must be a whole number above 0, not true"),
        (good_entry(context_length=0), "context_length", "must be a whole number above 0"),
        (good_entry(id="Tiny Chat"), "id", "must be a lower-case slug"),
        (good_entry(description="two\nlines"), "description", "must be a single line"),
        (good_entry(default_quant="Q9_X"), "default_quant", "names no quantization level"),
        (without("dimensions"), "dimensions", "must be an object, not nothing"),
        (with_dimension("kv_heads", -1), "dimensions.kv_heads", "must be a whole number"),
        (with_dimension("tied_embeddings", "yes"), "dimensions.tied_embeddings", "must be true or"),
        (good_entry(sampling={"temperature": 9}), "sampling", "is out of range (Temperature must"),
        (good_entry(sampling={"temp": 0.7}), "sampling.temp", "is not one of"),
        (good_entry(sampling={"top_k": 2.5}), "sampling.top_k", "must be a number"),
        (
            good_entry(active_parameters=2_000_000_000),
            "active_parameters",
            "must not exceed 'parameters' (1,000,000,000)",
        ),
        (without("active_parameters"), "active_parameters", "must be a whole number above 0"),
        (good_entry(reasoning="think"), "reasoning", "must be one of none, tags, prefilled"),
        (good_entry(vision="yes"), "vision", 'must be true or false, not "yes"'),
        (without("gated"), "gated", "must be true or false, not nothing"),
        (good_entry(confidence="sure"), "confidence", "must be one of confirmed, likely"),
        (good_entry(mirrors=["not a repo"]), "mirrors", "must be a list of Hugging Face"),
        (with_dimension("kv_layers", 17), "dimensions.kv_layers", "must not exceed the 16"),
        (with_dimension("sliding_window", 512), "dimensions.sliding_window", "and 'sliding_"),
    ],
)
def test_a_broken_entry_is_named_and_the_rest_load(
    tmp_path: Path, broken: dict[str, Any], field: str, reason: str
) -> None:
    models = [good_entry(id="first"), broken, good_entry(id="third")]
    catalog = load_catalog(write_catalog(tmp_path, models))
    assert [entry.id for entry in catalog.entries] == ["first", "third"]
    (problem,) = catalog.problems
    named = f" ('{broken['id']}')" if "id" in broken else ""
    assert problem.startswith(f"Model catalog entry 2 of 3{named}: '{field}' {reason}")
    assert problem.endswith("the entry is left out.")


def test_an_entry_that_is_not_an_object(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, [good_entry(), "qwen"]))
    assert len(catalog.entries) == 1
    assert catalog.problems == (
        "Model catalog entry 2 of 2: 'entry' must be an object, not \"qwen\"; "
        "the entry is left out.",
    )


def test_a_repeated_id_is_refused(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, [good_entry(), good_entry()]))
    assert len(catalog.entries) == 1
    assert catalog.problems == (
        "Model catalog entry 2 of 2 ('tiny-chat'): 'id' is used by an earlier entry too; "
        "the entry is left out.",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"models": [', "is not valid JSON (line 1, column 13: Expecting value)."),
        (b"\xff\xfe not text", "is not UTF-8 text."),
        (b'["a list"]', 'has no list of "models".'),
        (b'{"models": {}}', 'has no list of "models".'),
    ],
)
def test_an_unusable_file_gives_one_problem_and_no_entries(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "catalog.json"
    path.write_bytes(content)
    catalog = load_catalog(path)
    assert catalog.entries == ()
    assert catalog.problems == (f"The model catalog {path} {message}",)


def test_a_missing_file_gives_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "gone.json"
    catalog = load_catalog(path)
    assert catalog.entries == ()
    assert catalog.problems == (
        f"The model catalog {path} cannot be read: No such file or directory.",
    )


def ids(entries: list[CatalogEntry]) -> set[str]:
    return {entry.id for entry in entries}


def test_search_by_text_family_and_size(bundled: tuple[CatalogEntry, ...]) -> None:
    assert "llama-3.1-8b-instruct" in ids(search_catalog(bundled, "llama 8b"))
    assert search_catalog(bundled, "no such model anywhere") == []
    assert search_catalog(bundled, "") == list(bundled)
    gemma = search_catalog(bundled, family="Gemma")
    assert gemma
    assert all(entry.family == "Gemma" for entry in gemma)
    _, low, high = SIZE_RANGES[0]
    tiny = search_catalog(bundled, min_parameters=low, max_parameters=high)
    assert tiny
    assert all(entry.parameters < 2 * GB for entry in tiny)
    assert ids(search_catalog(bundled, "QWEN", max_parameters=1 * GB)) == {
        "qwen3-0.6b",
        "qwen3.5-0.8b",
    }


def test_group_variants_joins_shards_and_sorts_by_size() -> None:
    files = [
        RepoFile("README.md", 5_000),
        RepoFile("Model-Q8_0.gguf", 8 * GB, "a" * 64),
        RepoFile("Model-Q4_K_M.gguf", 5 * GB, "b" * 64),
        RepoFile("F16/Model-F16-00002-of-00002.gguf", 6 * GB, "c" * 64),
        RepoFile("F16/Model-F16-00001-of-00002.gguf", 10 * GB, "d" * 64),
        RepoFile("mmproj-Model-f16.gguf", 1 * GB, "e" * 64),
        RepoFile("Model-IQ3_M.gguf", 4 * GB, "f" * 64),
    ]
    variants = group_variants("someone/Model-GGUF", files)
    assert [(v.name, v.quant_label, v.size) for v in variants] == [
        ("Model-IQ3_M", "IQ3_M", 4 * GB),
        ("Model-Q4_K_M", "Q4_K_M", 5 * GB),
        ("Model-Q8_0", "Q8_0", 8 * GB),
        ("Model-F16", "F16", 16 * GB),
    ]
    split = variants[-1]
    assert split.split
    assert [file.path for file in split.files] == [
        "F16/Model-F16-00001-of-00002.gguf",
        "F16/Model-F16-00002-of-00002.gguf",
    ]
    assert variants[0].level is None
    assert variants[1].level == quant_level("Q4_K_M")
    assert all(variant.repo == "someone/Model-GGUF" for variant in variants)


def test_an_incomplete_set_of_shards_is_left_out() -> None:
    files = [
        RepoFile("Big-Q4_K_M-00001-of-00003.gguf", GB),
        RepoFile("Big-Q4_K_M-00003-of-00003.gguf", GB),
    ]
    assert group_variants("someone/Big-GGUF", files) == []


HOSTILE_PATHS = [
    "/etc/model-Q4_K_M.gguf",
    "../model-Q4_K_M.gguf",
    "Q4/../../model-Q4_K_M.gguf",
    "./model-Q4_K_M.gguf",
    "Q4//model-Q4_K_M.gguf",
    "Q4\\..\\model-Q4_K_M.gguf",
    "C:model-Q4_K_M.gguf",
    "model\n-Q4_K_M.gguf",
    "",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_are_refused(path: str) -> None:
    assert not safe_repo_path(path)


def test_grouping_skips_hostile_paths() -> None:
    files = [RepoFile(path, GB) for path in HOSTILE_PATHS]
    files.append(RepoFile("Q4/model-Q4_K_M.gguf", GB))
    (variant,) = group_variants("someone/Model-GGUF", files)
    assert variant.files[0].path == "Q4/model-Q4_K_M.gguf"


def test_recommend_a_variant_for_this_computer(bundled: tuple[CatalogEntry, ...]) -> None:
    entry = next(entry for entry in bundled if entry.id == "llama-3.1-8b-instruct")
    files = [
        RepoFile(f"Meta-Llama-3.1-8B-Instruct-{name}.gguf", estimated_file_size(8 * GB, level))
        for name in ("Q2_K", "Q4_K_M", "Q6_K", "Q8_0", "F16")
        if (level := quant_level(name)) is not None
    ]
    variants = group_variants(entry.repo, files)
    roomy = SystemMemory(total_ram=32 * GB, available_ram=24 * GB)
    chosen = recommend_variant(entry, variants, roomy, 8192)
    assert chosen is not None
    assert chosen.quant_label == "Q8_0"
    # With 7 GB free, Q4_K_M is the best that fits in 90% of it.
    small = SystemMemory(total_ram=8 * GB, available_ram=7 * GB)
    chosen = recommend_variant(entry, variants, small, 4096)
    assert chosen is not None
    assert chosen.quant_label == "Q4_K_M"
    estimate = estimate_memory(entry.model_spec(chosen), 4096)
    assert estimate.needed <= 0.9 * small.available_ram
