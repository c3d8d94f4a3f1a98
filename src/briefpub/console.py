"""The command bodies and terminal output that need no typer (CLI stage).

:mod:`briefpub.cli` declares the commands with typer and calls what is here; so does the
``briefpub convert`` fast path (:mod:`briefpub.fastcli`), which runs a plain conversion without
importing typer at all (typer and its click cost about a quarter of a cold EPUB conversion). Both
paths therefore print the same lines, through :func:`echo`, and end with the same codes, through
:func:`guarded` and :func:`finish_code`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from briefpub._lazyre import lazy_re
from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, UsageError

INTERRUPTED = 130
"""The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells give it."""


class State:
    """Process-wide CLI settings: ``--debug`` shows tracebacks instead of one-line errors."""

    debug = False


_ANSI = lazy_re(r"\033\[[;?0-9]*[a-zA-Z]")  # the colour and style codes click's echo strips


def _plain(stream: object) -> bool:
    """Whether :func:`echo` writes to ``stream`` as click's echo would: click rewraps a text stream whose
    encoding is ASCII (or unset) before writing; :func:`echo` does not."""
    import codecs

    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str) or not encoding:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def streams_are_plain() -> bool:
    """Whether both stdout and stderr are streams :func:`echo` writes to as click's echo would."""
    return _plain(sys.stdout) and _plain(sys.stderr)


def echo(line: str, *, err: bool = False) -> None:
    """``line`` and a newline on stdout (or stderr), flushed, as ``typer.echo`` writes it.

    Like click, colour codes are removed when the stream is not a terminal. A stream misconfigured as
    ASCII goes through click's own echo, which rewraps it.
    """
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if not _plain(stream):
        import typer

        typer.echo(line, err=err)
        return
    try:
        terminal = stream.isatty()
    except Exception:  # click's isatty: a stream that cannot tell is no terminal
        terminal = False
    if not terminal and "\033" in line:
        line = _ANSI.sub("", line)
    stream.write(line + "\n")
    stream.flush()


def parse_formats(values: Sequence[str], available: Collection[str], default: Sequence[str]) -> list[str]:
    """``--to pdf,epub --to docx`` -> ``["pdf", "epub", "docx"]``, checked against ``available``.

    ``available`` may be a registry: membership of a built-in name never scans entry points.
    """
    from briefpub.errors import UnknownFormatError

    chosen: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in available:
                raise UnknownFormatError(
                    f"--to {name}: unknown output format (available: {', '.join(list(available))})"
                )
            if name not in chosen:
                chosen.append(name)
    return chosen or list(default)


def parse_sets(values: Sequence[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split ``--set KEY=VALUE`` pairs into (metadata overrides, style overrides), every key checked.

    An unknown key is refused (exit 2) with a "did you mean" suggestion; free-form metadata is
    ``extra.NAME`` (:func:`briefpub.transforms.split_overrides`).
    """
    if not values:
        return [], []
    from briefpub.transforms import split_overrides

    pairs: list[tuple[str, str]] = []
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set {item}: expected KEY=VALUE (e.g. --set marking=OFFICIAL)")
        pairs.append((key, value))
    return split_overrides(pairs)


def silence_stdout() -> None:
    """Point stdout at /dev/null after its reader went away (``briefpub inspect x | head``).

    Further output is dropped instead of raising again, including the interpreter's final flush.
    """
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def out_line(line: str) -> None:
    """A result line on stdout; a closed pipe silences stdout rather than stopping the conversions."""
    try:
        echo(line)
    except BrokenPipeError:
        silence_stdout()


class Lines:
    """Where a command's lines go: stdout results and stderr messages, printed at once (no bar)."""

    def advance(self, description: str) -> None:
        """Count one item done (nothing to show without a bar)."""

    def out(self, line: str) -> None:
        """A result line (an output path) on stdout."""
        out_line(line)

    def err(self, line: str) -> None:
        """A message (diagnostic, error) on stderr."""
        echo(line, err=True)


def print_diagnostics(diagnostics: Sequence[Diagnostic], lines: Lines | None = None) -> None:
    """Each diagnostic as a line on stderr (or through ``lines``, above a progress bar)."""
    for d in diagnostics:
        (lines or Lines()).err(d.format())


@contextmanager
def progress(total: int, enabled: bool) -> Iterator[Lines]:
    """A rich progress bar on stderr when it is a terminal, else plain lines.

    While the bar is live, messages are printed through its console (above the bar, markup and
    highlighting off, so they arrive intact), and result lines bound for a terminal wait until
    the bar is gone (a redirected stdout gets them at once).
    """
    if not enabled or total < 2 or not sys.stderr.isatty():
        yield Lines()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    held: list[str] = []
    stdout_is_terminal = sys.stdout.isatty()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as progress:
        task = progress.add_task("converting", total=total)

        class _Bar(Lines):
            def advance(self, description: str) -> None:
                progress.update(task, advance=1, description=description)

            def out(self, line: str) -> None:
                if stdout_is_terminal:
                    held.append(line)
                else:
                    out_line(line)

            def err(self, line: str) -> None:
                progress.console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)

        try:
            yield _Bar()
        finally:
            progress.stop()
            for line in held:
                out_line(line)


def unique_inputs(inputs: Sequence[str]) -> tuple[list[str], list[str]]:
    """Drop inputs naming a file already listed (same resolved path): (inputs, a note line per repeat)."""
    import os

    first: dict[str, str] = {}
    unique: list[str] = []
    notes: list[str] = []
    for path in inputs:
        key = path if path == "-" or "://" in path else os.path.realpath(path)
        if key in first and path != "-":
            same = "given twice" if first[key] == path else f"the same file as {first[key]}"
            notes.append(f"note: {path}: {same}; converted once")
            continue
        first.setdefault(key, path)
        unique.append(path)
    return unique, notes


def run_convert(
    inputs: list[str],
    to: list[str],
    out: Path,
    style: str | None,
    sets: list[str],
    from_: str | None,
    as_json: bool,
    quiet: bool,
    fetch_images: bool,
    server: str | None,
) -> int:
    """``briefpub convert``: convert each input to the formats asked for; the exit code (0: all written)."""
    from briefpub.pipeline import (
        Report,
        build_time_from_env,
        cleanup_on_termination,
        convert_one,
        output_stem,
        remove_stale_temps,
    )
    from briefpub.pipeline.output import prepare_out_dir
    from briefpub.writers import PUBLICATION_FORMATS, WRITERS

    formats = parse_formats(to, WRITERS, PUBLICATION_FORMATS)
    meta_sets, style_sets = parse_sets(sets)
    sheet: Any = None
    if not server or style is not None or style_sets:  # (--server: a given style is checked here, up front,
        from briefpub.styling import load_style, with_overrides  # as locally; the server has the default one)

        sheet = with_overrides(load_style(style), style_sets)
    build_time = build_time_from_env()
    inputs, repeats = unique_inputs(inputs)
    stems: dict[str, str] = {}
    for path in inputs:
        stem = output_stem(path)
        if stem in stems and stems[stem] != path:
            raise UsageError(f"{path}: would overwrite the output of {stems[stem]} (same name {stem!r})")
        stems[stem] = path
    if inputs.count("-") > 1:
        raise UsageError("'-' (standard input) can be given only once")
    if from_ is not None:
        from briefpub.readers import READERS

        if not READERS.knows(from_):
            raise UsageError(f"--from {from_}: unknown input format (available: {', '.join(READERS.names())})")

    if not quiet:
        for line in repeats:
            echo(line, err=True)
    reports: list[Report] = []
    prepare_out_dir(out)  # an unusable folder fails once, up front
    remove_stale_temps(out)
    if server:  # the same conversion on a running server's warm workers (briefpub.serve.client)
        from briefpub.serve.client import remote_converter

        convert_one = remote_converter(server, style, sets)
    with cleanup_on_termination(), progress(len(inputs), not (quiet or as_json)) as bar:
        for path in inputs:
            raised = False
            try:
                report = convert_one(
                    path, formats, out, sheet, fmt=from_, meta_overrides=meta_sets, build_time=build_time,
                    fetch_images=fetch_images,
                )
            except BriefpubError as exc:
                if State.debug:
                    raise
                raised = True
                report = Report(input=path, error=str(exc), exit_code=exc.exit_code)
                if len(inputs) == 1 and not as_json:
                    raise
                if not as_json:
                    bar.err(f"error: {exc}")
            reports.append(report)
            bar.advance(Path(path).name)
            if not as_json:
                if not quiet:
                    print_diagnostics(report.diagnostics, bar)
                if report.error and not raised:  # formats that failed (the others were written)
                    bar.err(f"error: {report.error}")
                for artifact in report.artifacts:
                    bar.out(str(artifact.path))
    code = max((r.exit_code for r in reports), default=0)
    if as_json:
        import json

        out_line(
            json.dumps(
                {"schema": "briefpub.convert-report/1", "ok": code == 0, "inputs": [r.to_dict() for r in reports]},
                ensure_ascii=False,
                indent=2,
            )
        )
    return code



def guarded(body: Callable[[], int | None], *, debug: bool = False) -> int:
    """Run a command body; its exit code, or the one-line error and code for what it raised.

    A :class:`~briefpub.errors.BriefpubError` prints ``error: ...`` and gives its code (2 for bad input
    or usage); Ctrl-C prints ``error: interrupted`` and gives 130; a reader of stdout that went away
    (``briefpub inspect x | head``) stops quietly with 0, as ``git log | head`` users expect and so
    ``set -o pipefail`` scripts do not fail (docs/cli.md); anything else is a bug, shown as one line
    unless ``--debug`` (``debug``, or :attr:`State.debug`) asks for the traceback.
    """
    try:
        return finish_code(body())
    except BriefpubError as exc:
        if State.debug:
            raise
        echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        echo("error: interrupted", err=True)
        return INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return 0
    except Exception as exc:
        if State.debug or debug:
            raise
        echo(f"error: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", err=True)
        return 1


def finish_code(code: int | None) -> int:
    """A command's exit code. 130 is Ctrl-C, which no command of ours returns: typer turns an interrupted
    command into it silently, so ``error: interrupted`` is printed here."""
    if code == INTERRUPTED:
        echo("error: interrupted", err=True)
    return code or 0
