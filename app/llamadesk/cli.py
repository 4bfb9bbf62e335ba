"""`llamadesk`: the GUI with no arguments, or a subcommand over the core.

User errors (a missing or broken file, a bad option) exit with code 2 and one clear line on
stderr; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk import __version__
from llamadesk.core.logs import ExceptHooks, close_logging, describe, setup_logging

if TYPE_CHECKING:
    from llamadesk.core.engine import AnswerStream

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
# core.testmodel.SHAPES's names; importing it would load gguf for every command.
TEST_MODEL_SHAPES = ("tiny", "1b", "gemma3", "lfm2", "moe")


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line: 'llamadesk chat: error: …'."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2025-01-31: {text!r}") from None


class _VersionAction(argparse.Action):
    """`--version`: the version first (scripts read that line), then where the files are."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from llamadesk.core.logs import log_file
        from llamadesk.core.paths import app_paths

        paths = app_paths()
        print(f"LlamaDesk {__version__}\nData folder: {paths.data}\nLog: {log_file(paths)}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    # Light: the export formats' module needs only the standard library.
    from llamadesk.core.preferences import EXPORT_FORMATS

    parser = _Parser(
        prog="llamadesk",
        description="Chat with language models that run on your own computer. "
        "With no command, the desktop app starts.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version, the data folder and the log"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    chat = commands.add_parser("chat", help="answer one prompt with a GGUF model, streamed")
    chat.add_argument(
        "model", metavar="MODEL.gguf", help="a GGUF file, or with --server a model id"
    )
    chat.add_argument("prompt", metavar="PROMPT")
    chat.add_argument("--server", metavar="URL", help="an OpenAI-compatible server's base URL")
    chat.add_argument("--api-key", default="", help="the --server's API key")
    chat.add_argument("--system", default="", help="system prompt")
    _option_flag(chat, "--max-tokens", "max_tokens", default=512)
    _option_flag(chat, "--temperature", "temperature")
    _option_flag(chat, "--seed", "seed")
    _option_flag(chat, "--threads", "n_threads")
    _option_flag(chat, "--ctx", "n_ctx")
    chat.add_argument("--stats", action="store_true", help="print speed figures to stderr")
    chat.add_argument(
        "--no-memory-check",
        action="store_true",
        help="load even a model that needs more memory than this computer has",
    )
    chat.add_argument(
        "--json", action="store_true", help="print one JSON object: answer, reasoning, stats"
    )
    chat.add_argument(
        "--show-reasoning", action="store_true", help="print a reasoning model's reasoning first"
    )
    chat.add_argument(
        "--thinking",
        choices=("on", "off", "low", "medium", "high"),
        default="",
        help="a reasoning model's thinking: on/off, or gpt-oss's effort low/medium/high",
    )

    test_model = commands.add_parser(
        "make-test-model", help="write a GGUF model with random weights (for trying things)"
    )
    test_model.add_argument("out", type=Path, metavar="OUT.gguf")
    test_model.add_argument("--seed", type=_int, default=0)
    test_model.add_argument(
        "--shape",
        choices=TEST_MODEL_SHAPES,
        default="tiny",
        help="tiny: a few MB; 1b: TinyLlama-1.1B's layout, to measure speed at a real size; "
        "gemma3, lfm2: small sliding-window and hybrid layouts; moe: a 0.7B mixture of experts",
    )
    test_model.add_argument(
        "--quant",
        metavar="LEVEL",
        help="F16, F32 (tiny only) or a quantized level; default F32 for tiny, Q4_K_M for 1b",
    )
    _add_bench_parser(commands)

    self_test = commands.add_parser(
        "self-test", help="open the window, chat with a tiny model, check it was stored"
    )
    self_test.add_argument("--out", type=Path, help="folder for the screenshot and report")
    self_test.add_argument("--theme", choices=("light", "dark"), help="run in this theme")
    self_test.add_argument("--lang", metavar="CODE", help="run in this language (de, en, …)")

    export = commands.add_parser("export", help="write your ratings as a training data set (JSONL)")
    export.add_argument(
        "format",
        choices=EXPORT_FORMATS,
        help="trl: preference pairs (DPO, reward models); kto: rated answers; "
        "arena: the compare votes",
    )
    export.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the file (with --card: a folder)"
    )
    export.add_argument(
        "--since", type=_date, help="only ratings given on or after this date (or time)"
    )
    export.add_argument("--model", default="", help="only ratings of models whose name has this")
    export.add_argument(
        "--include-reasoning",
        action="store_true",
        help="add reasoning models' reasoning in columns of its own (answers never hold it)",
    )
    from llamadesk.cli_share import add_share_flags  # after this module is loaded

    add_share_flags(export)

    commands.add_parser("leaderboard", help="rank your models by your compare votes")
    _add_models_parser(commands)
    _add_eval_parser(commands)
    from llamadesk.cli_chats import add_chats_parser  # after this module is loaded

    add_chats_parser(commands)
    from llamadesk.cli_serve import add_serve_parser

    add_serve_parser(commands)
    return parser


def _option_flag(
    parser: argparse.ArgumentParser, flag: str, name: str, default: object = None
) -> None:
    """A flag for the setting declared in core/options.py: its range checked as the app
    checks it, its help and default from the declaration."""
    from llamadesk.core.options import OPTIONS  # standard library only: light

    option = OPTIONS[name]

    def parse(text: str) -> object:
        try:
            return option.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    default = option.default if default is None else default
    parser.add_argument(
        flag,
        type=parse,
        default=default,
        metavar=option.kind.__name__.upper(),
        help=f"{option.help} ({option.describe_range()}; default {default})",
    )


def _add_models_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`llamadesk models COMMAND`: work on model files."""
    models = commands.add_parser("models", help="work on model files")
    model_commands = models.add_subparsers(
        dest="models_command", metavar="COMMAND", parser_class=_Parser, required=True
    )
    quantize = model_commands.add_parser(
        "quantize", help="make a smaller quantization of a model with llama.cpp"
    )
    quantize.add_argument("src", type=Path, metavar="SRC.gguf")
    quantize.add_argument("level", metavar="LEVEL", help="target level, e.g. Q4_K_M or Q8_0")
    quantize.add_argument(
        "--out", type=Path, metavar="OUT.gguf", help="default: beside SRC, named after LEVEL"
    )
    quantize.add_argument(
        "--allow-requantize",
        action="store_true",
        help="quantize a file that is already quantized (quality losses compound)",
    )
    from llamadesk.cli_models import add_library_commands  # after this module is loaded

    add_library_commands(model_commands)


def _add_bench_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser(
        "bench",
        help="tokens/s and time to first token: plain llama-cpp-python, the app's engine, the GUI",
    )
    bench.add_argument("model", type=Path, metavar="MODEL.gguf")
    bench.add_argument("--tokens", type=_positive_int, default=128, help="tokens per answer")
    _option_flag(bench, "--threads", "n_threads")
    bench.add_argument("--runs", type=_positive_int, default=3, help="answers after the warm-up")
    bench.add_argument("--json", action="store_true", help="print one JSON object")


def _add_eval_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evaluation = commands.add_parser(
        "eval", help="measure what a quantization costs: a model against its reference on a text"
    )
    evaluation.add_argument("model", type=Path, metavar="MODEL.gguf")
    evaluation.add_argument("--against", type=Path, required=True, metavar="REFERENCE.gguf")
    evaluation.add_argument("--text", type=Path, required=True, metavar="FILE", help="UTF-8 text")
    evaluation.add_argument("--ctx", type=_positive_int, default=512, help="window in tokens")
    evaluation.add_argument("--max-tokens", type=_positive_int, help="measure at most this many")
    _option_flag(evaluation, "--threads", "n_threads")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object")


def main(argv: Sequence[str] | None = None) -> int:
    # In a frozen (PyInstaller) app, the quantization child started with "spawn" re-runs this
    # executable; freeze_support turns that run into the child instead of a second app.
    multiprocessing.freeze_support()
    args = build_parser().parse_args(argv)
    log, hooks = _start_log(args.command)
    try:
        if args.command is None:
            from llamadesk.ui.app import run_gui

            return run_gui()
        if args.command == "chat" and args.server:
            from llamadesk.cli_serve import run_remote_chat

            return run_remote_chat(args)
        if args.command == "chat":
            args.model = Path(args.model)
            return _chat(args)
        if args.command == "serve":
            from llamadesk.cli_serve import run_serve

            return run_serve(args)
        if args.command == "make-test-model":
            return _make_test_model(args)
        if args.command == "self-test":
            from llamadesk.ui.selftest import run_self_test

            return run_self_test(args.out, theme=args.theme, lang=args.lang)
        if args.command == "export":
            return _export(args)
        if args.command == "leaderboard":
            return _leaderboard()
        if args.command == "models" and args.models_command == "quantize":
            return _quantize(args)
        if args.command == "models":
            from llamadesk.cli_models import run_library_command

            return run_library_command(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "chats":
            from llamadesk.cli_chats import run_chats_command

            return run_chats_command(args)
        if args.command == "bench":
            return _bench(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        logging.getLogger("llamadesk").exception("Uncaught exception")
        _report_crash(exc, log)
        return 1
    finally:
        hooks.uninstall()  # called in-process (tests), the caller's hooks come back
        close_logging()
    raise AssertionError(f"unhandled command {args.command}")


def _start_log(command: str | None) -> tuple[Path | None, ExceptHooks]:
    """The log in the data folder, and hooks that send uncaught errors (on any thread) there
    rather than onto the screen. The GUI, `command` None, adds its own: a banner."""
    from llamadesk.core.paths import app_paths

    log = setup_logging(app_paths())
    # The command only: its arguments may hold a prompt, which is the user's business.
    logging.getLogger("llamadesk").info("LlamaDesk %s started: %s", __version__, command or "app")
    return log, ExceptHooks(lambda error: _report_crash(error, log))


def _report_crash(error: BaseException, log: Path | None) -> None:
    where = f" The details are in {log}." if log else ""
    print(f"llamadesk: something went wrong: {describe(error)}{where}", file=sys.stderr)


def _fail(message: str) -> int:
    print(f"llamadesk: {message}", file=sys.stderr)
    return EXIT_USER_ERROR


def _chat(args: argparse.Namespace) -> int:
    from llamadesk.core.engine import ChatMessage, Engine, EngineError, LoadSettings, SamplingParams
    from llamadesk.core.gguf_info import GGUFError
    from llamadesk.core.load_check import check_load, memory_refusal

    try:
        params = SamplingParams(
            temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed
        )
        params.validate()
        settings = LoadSettings(n_ctx=args.ctx, n_threads=args.threads)
        # Checked first, as the GUI does: a model far too big would page for a minute, then fail.
        refusal = "" if args.no_memory_check else memory_refusal(check_load(args.model, settings))
        if refusal:
            return _fail(refusal)
        engine = Engine.load(args.model, settings)
    except (EngineError, GGUFError) as exc:
        return _fail(str(exc))
    if args.thinking and args.thinking not in engine.thinking_choices:
        engine.close()
        return _fail(_no_such_thinking(args.model.name, engine.thinking_choices))
    messages = [ChatMessage("user", args.prompt)]
    if args.system:
        messages.insert(0, ChatMessage("system", args.system))
    stream = engine.stream(messages, params, thinking=args.thinking)
    try:
        if args.json:
            for _part in stream.parts():
                pass
        else:
            _print_answer(stream, args.show_reasoning)
    except KeyboardInterrupt:
        stream.cancel()
        sys.stdout.write("\n")
        return EXIT_INTERRUPTED
    finally:
        engine.close()
    return _report(args, stream)


def _report(args: argparse.Namespace, stream: AnswerStream) -> int:
    """After the answer: the --json object, the --stats line, and the exit code."""
    stats = stream.stats
    assert stats is not None
    if args.json:
        import json

        report = {"answer": stream.text, "reasoning": stream.reasoning, "stats": stats.as_dict()}
        print(json.dumps(report, indent=2))
    if args.stats:
        print(
            f"{stats.completion_tokens} tokens, {stats.tokens_per_second:.1f} tokens/s, "
            f"{stats.ttft_ms:.0f} ms to first token, stop: {stats.stop_reason}",
            file=sys.stderr,
        )
    if stats.error:
        return _fail(stats.error)
    return 0


def _no_such_thinking(model: str, choices: Sequence[str]) -> str:
    if not choices:
        return f"{model} has no thinking switch in its chat template; leave out --thinking."
    return f"{model} takes --thinking {', '.join(choices[:-1])} or {choices[-1]}."


def _print_answer(stream: AnswerStream, show_reasoning: bool) -> None:
    """Stream the answer to stdout, a reasoning model's reasoning first if asked."""
    reasoning_shown = answer_shown = False
    for reasoning, answer in stream.parts():
        if reasoning and show_reasoning:
            sys.stdout.write(reasoning if reasoning_shown else f"Reasoning:\n{reasoning}")
            reasoning_shown = True
        if answer:
            sys.stdout.write(_answer_start(reasoning_shown, answer_shown) + answer)
            answer_shown = True
        sys.stdout.flush()
    if not answer_shown and stream.text:  # a reasoning that turned out to be the answer
        sys.stdout.write(_answer_start(reasoning_shown, False) + stream.text)
    sys.stdout.write("\n")


def _answer_start(reasoning_shown: bool, answer_shown: bool) -> str:
    return "\n\nAnswer:\n" if reasoning_shown and not answer_shown else ""


def _make_test_model(args: argparse.Namespace) -> int:
    from llamadesk.core.quantize import QuantizeError
    from llamadesk.core.testmodel import write_test_model_as

    stage = _StageLines(args.shape)
    try:
        path = write_test_model_as(args.out, args.shape, args.quant, seed=args.seed, progress=stage)
    except QuantizeError as exc:
        stage.end()
        return _fail(str(exc))
    except OSError as exc:
        stage.end()
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        stage.end()
        print("Cancelled; no file was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    stage.end()
    size_mb = path.stat().st_size / 1e6
    print(f"Wrote {path} ({size_mb:.1f} MB, random weights: it babbles).")
    return 0


class _StageLines:
    """Progress of `write_test_model_as` on stderr: a line per stage, a percentage in it."""

    def __init__(self, shape: str) -> None:
        self._shape = shape
        self._stage = ""
        self._line = _ProgressLine("")

    def __call__(self, stage: str, fraction: float) -> None:
        if stage != self._stage:
            self._line.end()
            self._stage = stage
            self._line = _ProgressLine(f"{stage.capitalize()} the {self._shape} test model")
        self._line(fraction)

    def end(self) -> None:
        self._line.end()


def _bench(args: argparse.Namespace) -> int:
    import json

    from llamadesk.core.bench import BenchConfig, BenchError, format_report, run_bench
    from llamadesk.core.engine import EngineError
    from llamadesk.core.gguf_info import GGUFError
    from llamadesk.ui.bench import gui_path

    config = BenchConfig(args.model, args.tokens, n_threads=args.threads, runs=args.runs)
    try:
        report = run_bench(config, gui_path, lambda line: print(line, file=sys.stderr))
    except (BenchError, EngineError, GGUFError) as exc:
        return _fail(str(exc))
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    return 0


_EXPORTED = {"trl": "preference pairs", "kto": "rated answers", "arena": "battles"}


def _export(args: argparse.Namespace) -> int:
    from llamadesk.cli_share import run_share, wants_share

    if wants_share(args):
        return run_share(args)
    from llamadesk.core.paths import app_paths
    from llamadesk.core.preferences import ExportError, export
    from llamadesk.core.store import Store, StoreError

    try:
        with Store(app_paths().database) as store:
            store.check()  # a damaged file is reported, not half exported
            result = export(
                store,
                args.format,
                args.out,
                since=args.since,
                model=args.model,
                include_reasoning=args.include_reasoning,
            )
    except (StoreError, ExportError) as exc:
        return _fail(str(exc))
    print(f"Wrote {result.count} {_EXPORTED[args.format]} to {result.path}.")
    if result.count == 0:
        print("No ratings matched, so the file is empty.")
    return 0


def _leaderboard() -> int:
    from llamadesk.core.leaderboard import leaderboard
    from llamadesk.core.paths import app_paths
    from llamadesk.core.store import Store, StoreError

    try:
        with Store(app_paths().database) as store:
            store.check()  # damage elsewhere in the file must not pass for "no votes"
            rows = leaderboard(store)
    except StoreError as exc:
        return _fail(str(exc))
    if not rows:
        print("No compare votes between two models yet.")
        return 0
    width = max(len("Model"), *(len(row.model) for row in rows))
    print(f"{'#':>2}  {'Model':<{width}}  Rating  95% interval  Votes  W/T/L")
    for place, row in enumerate(rows, start=1):
        interval = f"{row.lower:.0f} to {row.upper:.0f}"
        record = f"{row.wins}/{row.ties}/{row.losses}"
        print(
            f"{place:>2}  {row.model:<{width}}  {row.rating:>6.0f}  {interval:>12}"
            f"  {row.battles:>5}  {record}"
        )
    return 0


class _ProgressLine:
    """A percentage on stderr, rewritten in place as it changes."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._shown = -1

    def __call__(self, fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != self._shown:
            self._shown = percent
            sys.stderr.write(f"\r{self._label}: {percent:3d}%")
            sys.stderr.flush()

    def end(self) -> None:
        if self._shown >= 0:
            sys.stderr.write("\n")
            self._shown = -1


def _quantize(args: argparse.Namespace) -> int:
    from llamadesk.core.quantize import QuantizeError, RequantizeRequired, quantize

    line = _ProgressLine(f"Quantizing {args.src.name} to {args.level.upper()}")
    try:
        result = quantize(
            args.src,
            args.level,
            args.out,
            progress=line,
            allow_requantize=args.allow_requantize,
        )
    except RequantizeRequired as exc:
        return _fail(f"{exc} Add --allow-requantize to go ahead anyway.")
    except QuantizeError as exc:
        line.end()
        return _fail(str(exc))
    except KeyboardInterrupt:
        line.end()
        print("Cancelled; no file was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    line.end()
    print(f"Wrote {result.path} ({result.size / 1e6:.1f} MB) in {result.seconds:.1f} s.")
    return 0


def _eval(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from llamadesk.core.evaluate import EvaluationError, evaluate, save_report

    try:
        text = args.text.read_text(encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot read {args.text}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _fail(f"{args.text} is not UTF-8 text")
    line = _ProgressLine(f"Measuring {args.model.name} against {args.against.name}")
    try:
        report = evaluate(
            args.model,
            args.against,
            text,
            n_ctx=args.ctx,
            max_tokens=args.max_tokens,
            n_threads=args.threads,
            progress=line,
        )
    except EvaluationError as exc:
        return _fail(str(exc))
    finally:
        line.end()
    try:
        save_report(report, f"file {args.text.name}")
    except OSError as exc:
        print(f"llamadesk: the result was not saved: {exc.strerror or exc}", file=sys.stderr)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return 0
    rows = [
        (Path(report.model).name, report.level, report.perplexity),
        (
            f"{Path(report.reference).name} (reference)",
            report.reference_level,
            report.reference_perplexity,
        ),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"{'Model':<{width}}  {'Level':<7}  Perplexity")
    for name, level, perplexity in rows:
        print(f"{name:<{width}}  {level:<7}  {perplexity:>10.4f}")
    print(f"KL divergence: {report.kl_divergence:.6f} nats per token (0: the same predictions)")
    print(f"Top-1 agreement: {report.top1_agreement:.1%} of tokens")
    print(f"{report.tokens} tokens in windows of {report.n_ctx}, {report.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
