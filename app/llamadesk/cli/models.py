"""`llamadesk models quantize/list/search/download/import/rm/catalog/predict`: model files,
the library, the hub and the catalog from a shell.

The hub's address comes from HF_ENDPOINT (huggingface.co when unset). Heavy modules are
imported inside the commands, so `llamadesk --help` stays quick.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import (
    EXIT_HUB_TROUBLE,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    Parser,
    ProgressLine,
    fail,
)

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands
    from llamadesk.core.catalog import CatalogEntry
    from llamadesk.core.downloads import DownloadProgress


def add_parsers(commands: Commands) -> None:
    """`llamadesk models COMMAND`: work on model files."""
    models = commands.add_parser("models", help="work on model files")
    model_commands = models.add_subparsers(
        dest="models_command", metavar="COMMAND", parser_class=Parser, required=True
    )
    quantize = model_commands.add_parser(
        "quantize", help="make a smaller quantization of a model with llama.cpp"
    )
    quantize.set_defaults(run=_quantize)
    quantize.add_argument("src", type=Path, metavar="SRC.gguf")
    quantize.add_argument("level", metavar="LEVEL", help="target level, e.g. Q4_K_M or Q8_0")
    quantize.add_argument(
        "--out", type=Path, metavar="OUT.gguf", help="default: beside SRC, named after LEVEL"
    )
    quantize.add_argument(
        "--allow-requantize",
        action="store_true",
        help="quantize a file that is already quantized (quality losses compound); also "
        "allows a larger level than the source's, labelled as requantized: it cannot be "
        "better than its source",
    )
    _add_library_commands(model_commands)


def _add_library_commands(commands: Commands) -> None:
    """Add list, search, download, import, rm, catalog and predict to the `models` group."""
    listing = commands.add_parser("list", help="the models on disk, with what their headers say")
    listing.set_defaults(run=_list)
    search = commands.add_parser(
        "search", help="a hub repository's GGUF variants: size, quality cost, fit here"
    )
    search.set_defaults(run=_search)
    search.add_argument("repo", metavar="OWNER/REPO")
    search.add_argument("--ctx", type=int, default=4096, help="context length for the fit")
    download = commands.add_parser(
        "download", help="download one GGUF file from the hub, verified by its sha256"
    )
    download.set_defaults(run=_download)
    download.add_argument("repo", metavar="OWNER/REPO")
    download.add_argument("filename", metavar="FILENAME")
    imported = commands.add_parser("import", help="copy (or link) a GGUF file into the library")
    imported.set_defaults(run=_import)
    imported.add_argument("path", type=Path, metavar="PATH.gguf")
    imported.add_argument("--link", action="store_true", help="link to it instead of copying")
    remove = commands.add_parser("rm", help="delete a model from the library")
    remove.set_defaults(run=_remove)
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--yes", action="store_true", help="do not ask")
    catalog = commands.add_parser("catalog", help="the curated catalog of current models")
    catalog.set_defaults(run=_catalog)
    catalog.add_argument("--json", action="store_true", help="one JSON object per entry, a list")
    predict = commands.add_parser(
        "predict", help="predicted decoding speed of a GGUF model on this computer"
    )
    predict.set_defaults(run=_predict)
    predict.add_argument("path", type=Path, metavar="MODEL.gguf")
    predict.add_argument(
        "--threads", type=int, default=0, help="CPU threads (default: as the app picks)"
    )
    predict.add_argument("--json", action="store_true", help="print one JSON object")


def _quantize(args: argparse.Namespace) -> int:
    from llamadesk.core.quantize import QuantizeError, RequantizeRequired, quantize

    line = ProgressLine(f"Quantizing {args.src.name} to {args.level.upper()}")
    try:
        result = quantize(
            args.src,
            args.level,
            args.out,
            progress=line,
            allow_requantize=args.allow_requantize,
        )
    except RequantizeRequired as exc:
        return fail(f"{exc} Add --allow-requantize to go ahead anyway.")
    except QuantizeError as exc:
        line.end()
        return fail(str(exc))
    except KeyboardInterrupt:
        line.end()
        print("Cancelled; no file was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    line.end()
    print(f"Wrote {result.path} ({result.size / 1e6:.1f} MB) in {result.seconds:.1f} s.")
    return 0


def _endpoint() -> str | None:
    # huggingface_hub reads HF_ENDPOINT once, at import; passing it is explicit and safe.
    return os.environ.get("HF_ENDPOINT") or None


def _models_dir() -> Path:
    from llamadesk.core.paths import app_paths

    return app_paths().ensure().models


def _list(_args: argparse.Namespace) -> int:
    from llamadesk.core.library import format_parameters, scan_library
    from llamadesk.core.memory import format_size

    models = scan_library(_models_dir())
    if not models:
        print("No models yet: `llamadesk models download OWNER/REPO FILE` or `models import`.")
        return 0
    rows = [
        (
            m.name,
            m.info.quantization,
            format_size(m.info.file_size),
            format_parameters(m.info.parameter_count),
        )
        if m.info
        else (m.name, "?", "?", m.problem)
        for m in models
    ]
    _table(("Model", "Quant", "Size", "Parameters"), rows)
    return 0


def _search(args: argparse.Namespace) -> int:
    from llamadesk.core.catalog import load_catalog
    from llamadesk.core.downloads import DownloadError
    from llamadesk.core.hub_listing import (
        fetch_listing,
        judge_variants,
        listing_failure,
        quality_cost,
    )
    from llamadesk.core.memory import SystemMemory, format_size
    from llamadesk.core.paths import app_paths

    entry = next((e for e in load_catalog().entries if e.repo == args.repo), None)
    try:
        listing = fetch_listing(args.repo, app_paths().ensure().cache, endpoint=_endpoint())
    except DownloadError as error:
        return fail(listing_failure(error, entry))
    if listing.offline:
        print(f"{listing.describe_age()} ({listing.offline_reason})", file=sys.stderr)
    if not listing.variants:
        print(f"{args.repo} has no GGUF files LlamaDesk can use.")
        return 0
    variants = list(listing.variants)
    verdicts, recommended = judge_variants(entry, variants, SystemMemory.probe(), args.ctx)
    rows = [
        (
            variant.files[0].path,
            variant.quant_label or "?",
            format_size(variant.size),
            quality_cost(variant),
            verdict.level.label + ("  ★ recommended" if variant == recommended else ""),
        )
        for variant, verdict in zip(variants, verdicts, strict=True)
    ]
    _table(("File", "Quant", "Size", "Quality cost", f"Fit at {args.ctx:,} tokens"), rows)
    if entry is None:
        print("Not in the catalog: the fit counts the file only, not its context's memory.")
    return 0


def _download(args: argparse.Namespace) -> int:
    from llamadesk.core.downloads import DownloadCancelled, DownloadError, DownloadJob

    progress = _ProgressPrinter(args.filename.rsplit("/", 1)[-1])
    try:
        job = DownloadJob(
            args.repo, args.filename, _models_dir(), endpoint=_endpoint(), on_progress=progress
        )
    except DownloadError as error:
        return fail(str(error))
    try:
        path = job.run()
    except DownloadError as error:
        progress.end()
        print(f"llamadesk: {error}", file=sys.stderr)
        return EXIT_HUB_TROUBLE if error.resumable else EXIT_USER_ERROR
    except (DownloadCancelled, KeyboardInterrupt):
        job.cancel()
        progress.end()
        print("Stopped; run the same command again to resume.", file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.end()
    print(f"Downloaded and verified {path}.")
    return 0


class _ProgressPrinter:
    """Bytes, speed and time left on one stderr line, rewritten in place."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._shown = False

    def __call__(self, progress: DownloadProgress) -> None:
        from llamadesk.core.memory import format_size

        left = progress.seconds_left
        eta = f", {left:.0f} s left" if left is not None else ""
        sys.stderr.write(
            f"\r{self._name}: {format_size(progress.done)} of {format_size(progress.total)}"
            f" at {format_size(round(progress.speed))}/s{eta}   "
        )
        sys.stderr.flush()
        self._shown = True

    def end(self) -> None:
        """Finish the line, if one was written."""
        if self._shown:
            sys.stderr.write("\n")
            self._shown = False


def _import(args: argparse.Namespace) -> int:
    from llamadesk.core.library import LibraryError, import_model

    try:
        path = import_model(args.path, _models_dir(), link=args.link)
    except LibraryError as error:
        return fail(str(error))
    print(f"{'Linked' if args.link else 'Copied'} {args.path} as {path}.")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from llamadesk.core.library import LibraryError, delete_model, find_model

    path = find_model(_models_dir(), args.name)
    if path is None:
        return fail(f"no model named {args.name!r} in the library (see `llamadesk models list`)")
    if not args.yes:
        if not sys.stdin.isatty():
            return fail(f"add --yes to delete {path.name} without a prompt")
        if input(f"Delete {path.name}? This cannot be undone. [y/N] ").strip().lower() != "y":
            print("Nothing deleted.")
            return 0
    try:
        delete_model(path)
    except LibraryError as error:
        return fail(str(error))
    print(f"Deleted {path.name}.")
    return 0


def _catalog(args: argparse.Namespace) -> int:
    import json

    from llamadesk.core.catalog import load_catalog
    from llamadesk.core.library import format_parameters

    catalog = load_catalog()
    for problem in catalog.problems:
        print(f"llamadesk: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps([catalog_json(entry) for entry in catalog.entries], indent=2))
        return 0
    rows = [
        (
            entry.id,
            entry.repo,
            entry.architecture,
            format_parameters(entry.parameters)
            + (
                f" ({format_parameters(entry.active_parameters)} active)"
                if entry.mixture_of_experts
                else ""
            ),
            entry.reasoning,
            "yes" if entry.vision else "",
        )
        for entry in catalog.entries
    ]
    _table(("Id", "Repository", "Architecture", "Parameters", "Reasoning", "Images"), rows)
    return 0


def catalog_json(entry: CatalogEntry) -> dict[str, object]:
    """One catalog entry as `models catalog --json` prints it (scripts rely on these keys)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "family": entry.family,
        "repo": entry.repo,
        "mirrors": list(entry.mirrors),
        "architecture": entry.architecture,
        "parameters": entry.parameters,
        "active_parameters": entry.active_parameters,
        "context_length": entry.context_length,
        "license": entry.license,
        "reasoning": entry.reasoning,
        "vision": entry.vision,
        "gated": entry.gated,
        "default_quant": entry.default_quant,
        "confidence": entry.confidence,
        "note": entry.note,
        "description": entry.description,
    }


def _predict(args: argparse.Namespace) -> int:
    import json

    from llamadesk.core.backend import backend_info
    from llamadesk.core.engine import default_threads
    from llamadesk.core.gguf_info import GGUFError, read_gguf_info
    from llamadesk.core.paths import app_paths
    from llamadesk.core.speed import (
        GPU_UNKNOWN,
        ModelTraffic,
        describe_speed,
        load_speed_context,
        predict_tokens_per_second,
    )

    try:
        info = read_gguf_info(args.path)
    except GGUFError as error:
        return fail(str(error))
    if args.threads < 0:
        return fail("--threads must be 0 (as the app picks) or more")
    threads = args.threads or default_threads(info.parameter_count)
    paths = app_paths().ensure()
    folders = [info.path.parent, paths.models]
    speed = load_speed_context(paths.data, paths.database, folders, threads)
    per_second = speed.bandwidth
    traffic = ModelTraffic.of_file(info)
    predicted = predict_tokens_per_second(traffic, per_second)
    corrected = speed.calibration.corrected(predicted, info.architecture, info.quantization)
    measured = speed.calibration.measured(info.path.name)
    # The prediction is the CPU's; llama.cpp reports no GPU bandwidth to predict one from.
    gpu_note = GPU_UNKNOWN if backend_info().gpu_offload else ""
    if args.json:
        result = {
            "model": str(info.path),
            "architecture": info.architecture,
            "quantization": info.quantization,
            "parameters": info.parameter_count,
            "active_parameters": info.active_parameter_count,
            "threads": threads,
            "bandwidth_gb_per_s": round(per_second / 1e9, 2),
            "bytes_per_token": round(traffic.bytes_per_token()),
            "predicted_tokens_per_second": round(predicted, 2),
            "corrected_tokens_per_second": round(corrected, 2),
            "measured_tokens_per_second": round(measured, 2) if measured else None,
            "note": gpu_note,
        }
        print(json.dumps(result, indent=2))
        return 0
    print(f"{info.path.name}: {describe_speed(corrected, measured)}")
    print(
        f"Memory moves {per_second / 1e9:.1f} GB/s with {threads} thread(s); each token reads "
        f"about {traffic.bytes_per_token() / 1e6:,.0f} MB."
    )
    if corrected != predicted:
        print(f"Before correction by your answers' speeds: {predicted:.1f} tokens/s.")
    if gpu_note:
        print(gpu_note)
    return 0


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
