"""The command line: a thin typer layer over the library (CLI stage).

Every "nice" error (:class:`~briefpub.errors.BriefpubError` and command-line
usage errors) prints one line ``error: ...`` on stderr and exits with its code
(2 for bad input or usage, 1 for a failed conversion); anything else is a bug,
shown as one line too unless ``--debug`` asks for the traceback. Heavy
libraries are never imported here: writers load them when they run.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, assert_never

import typer

from briefpub import __version__
from briefpub.console import State as _State
from briefpub.console import echo, guarded, parse_formats, parse_sets, run_convert
from briefpub.console import out_line as _out
from briefpub.console import print_diagnostics as _print_diagnostics
from briefpub.console import progress as _progress
from briefpub.diagnostics import Diagnostic
from briefpub.errors import BriefpubError, UsageError

app = typer.Typer(
    name="briefpub",
    help="Turn news articles (plain text, Markdown, saved web pages) into PDF briefings, EPUB 3 and DOCX.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefpub {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for unexpected errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    _State.debug = debug


# ----------------------------------------------------------------------------- helpers


# ----------------------------------------------------------------------------- commands

_INPUTS_HELP = "Article files; '-' reads stdin; an http(s) URL is downloaded (public hosts only)."
_TO_HELP = "Output formats, comma-separated; repeatable (default: pdf,epub,docx)."
_STYLE_HELP = "Built-in style name or path to a .toml style sheet (default: briefing)."
_SET_HELP = "Override metadata (marking=OFFICIAL, title=..., author=...) or a style key (page.size=Letter)."
_FETCH_HELP = "Download remote http(s) images (public hosts only, 5 MiB, 10 s each). Off by default."
_FROM_HELP = "Input format, overriding detection (extension, else content): txt, md, html (or a plugin's)."
_QUIET_HELP = "Print nothing but errors and the paths written."
_SERVER_HELP = "Send the work to a running 'briefpub serve' (http://HOST:PORT); the same files are written here."


@app.command()
def convert(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT...", help=_INPUTS_HELP)],
    to: Annotated[list[str], typer.Option("--to", "-t", help=_TO_HELP)] = [],  # noqa: B006
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    style: Annotated[str | None, typer.Option("--style", "-s", help=_STYLE_HELP)] = None,
    sets: Annotated[list[str], typer.Option("--set", help=_SET_HELP)] = [],  # noqa: B006
    from_: Annotated[str | None, typer.Option("--from", "-f", help=_FROM_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_QUIET_HELP)] = False,
    fetch_images: Annotated[bool, typer.Option("--fetch-images", help=_FETCH_HELP)] = False,
    server: Annotated[str | None, typer.Option("--server", envvar="BRIEFPUB_SERVER", help=_SERVER_HELP)] = None,
) -> None:
    """Convert articles to PDF, EPUB and DOCX in OUT/<input stem>.<ext>."""
    code = run_convert(inputs, to, out, style, sets, from_, as_json, quiet, fetch_images, server)
    if code:
        raise typer.Exit(code)


@app.command()
def pack(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT...", help="Articles (files, URLs), in pack order.")],
    title: Annotated[str, typer.Option("--title", help="Pack title (cover, running header, file name).")],
    to: Annotated[list[str], typer.Option("--to", "-t", help=_TO_HELP)] = [],  # noqa: B006
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    name: Annotated[str | None, typer.Option("--name", help="Output file stem (default: slug of the title).")] = None,
    style: Annotated[str | None, typer.Option("--style", "-s", help=_STYLE_HELP)] = None,
    sets: Annotated[list[str], typer.Option("--set", help=_SET_HELP + " Applies to every article.")] = [],  # noqa: B006
    subtitle: Annotated[str, typer.Option("--subtitle", help="Cover subtitle.")] = "",
    date: Annotated[str | None, typer.Option("--date", help="Cover date (default: the build date).")] = None,
    compiled_by: Annotated[str, typer.Option("--compiled-by", help="Originator shown on the cover.")] = "",
    reference: Annotated[str, typer.Option("--reference", help="Reference number shown on the cover.")] = "",
    version: Annotated[str, typer.Option("--version", help="Pack version shown on the cover.")] = "",
    marking: Annotated[str, typer.Option("--marking", help="Protective marking of the pack.")] = "",
    summary_page: Annotated[bool, typer.Option("--summary-page", help="Add a page gathering key points.")] = False,
    duplex: Annotated[bool, typer.Option("--duplex", help="Start every article on a right-hand page.")] = False,
    from_: Annotated[str | None, typer.Option("--from", "-f", help=_FROM_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_QUIET_HELP)] = False,
    fetch_images: Annotated[bool, typer.Option("--fetch-images", help=_FETCH_HELP)] = False,
    server: Annotated[str | None, typer.Option("--server", envvar="BRIEFPUB_SERVER", help=_SERVER_HELP)] = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help=_PACK_CACHE_HELP)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")] = False,
) -> None:
    """Build one briefing pack from several articles: OUT/NAME.<ext> per format."""
    from briefpub.pipeline import PublishError, build_time_from_env, cleanup_on_termination, publish
    from briefpub.pipeline.output import prepare_out_dir
    from briefpub.pipeline.pack import assemble_pack, cover_date, safe_name
    from briefpub.styling import load_style, with_overrides
    from briefpub.tree import PackMeta
    from briefpub.writers import PUBLICATION_FORMATS, WRITERS

    formats = parse_formats(to, WRITERS, PUBLICATION_FORMATS)
    meta_sets, style_sets = parse_sets(sets)
    if duplex:
        style_sets.append(("page.duplex", "true"))
    sheet = with_overrides(load_style(style), style_sets)
    build_time = build_time_from_env()
    if not title.strip():
        raise UsageError("--title: a pack needs a non-empty title")
    stem = safe_name(name if name is not None else title, fallback="")
    if not stem:
        option = "--name" if name is not None else "--title"
        raise UsageError(f"{option} {name if name is not None else title!r}: no letter or digit to name the "
                         "output file after; give --name")
    prepare_out_dir(out)
    if not marking:
        marking = next((v for k, v in meta_sets if k.lower() == "marking"), "")
    meta = PackMeta(
        title=title.strip(), subtitle=subtitle, date=date if date is not None else cover_date(build_time),
        compiled_by=compiled_by, reference=reference, version=version, marking=marking,
        summary_page=summary_page,
    )
    targets = [(fmt, out / f"{stem}{WRITERS.get(fmt).extension}") for fmt in formats]
    cache = None
    if not no_cache and not fetch_images:
        from briefpub.pipeline.cache import PackCache

        cache = PackCache.open(cache_dir, build_time, inputs, formats, from_, (*meta_sets, *style_sets),
                               style, dataclasses.asdict(meta))
        if cache is not None:
            restored = cache.restore(targets)
            for line in cache.problems:
                if not quiet:
                    typer.echo(f"warning: {line}", err=True)
            if restored is not None:
                _pack_done(restored.outputs, restored.diagnostics, meta.title, restored.articles, inputs, None,
                           as_json=as_json, quiet=quiet)
                return
    records: dict[str, list[tuple[str, str]]] = {}
    failed: PublishError | None = None
    remote = None
    with cleanup_on_termination(), _progress(len(formats), not (quiet or as_json)) as bar:
        if server:  # on a running server's warm workers (None: this pack must be built here)
            from briefpub.serve.client import remote_pack

            try:
                remote = remote_pack(server, inputs, {**dataclasses.asdict(meta), "duplex": duplex}, targets,
                                     style=style, sets=sets, fmt=from_, build_time=build_time,
                                     fetch_images=fetch_images, on_artifact=lambda a: bar.advance(a.format))
            except PublishError as exc:
                if not exc.artifacts:
                    raise
                failed, remote = exc, (len(inputs), exc.artifacts, exc.diagnostics, {})
        if remote is not None:
            articles, artifacts, diagnostics, records = remote
        else:
            assembled = assemble_pack(inputs, meta, fmt=from_, meta_overrides=meta_sets, fetch_images=fetch_images,
                                      image_records=records)
            articles = len(assembled.publication.documents)
            diagnostics = list(assembled.diagnostics)
            try:
                artifacts, writer_diags = publish(assembled.publication, assembled.resources, targets, sheet,
                                                  build_time=build_time, on_artifact=lambda a: bar.advance(a.format),
                                                  image_names=assembled.image_names)
            except PublishError as exc:  # the formats that could be written were
                if not exc.artifacts:
                    raise
                failed, artifacts, writer_diags = exc, exc.artifacts, exc.diagnostics
            diagnostics.extend(writer_diags)
    outputs = [{**a.to_dict(), "cached": False} for a in artifacts]
    if cache is not None and failed is None:  # (a server's pack comes with its image records)
        for line in cache.store(artifacts, diagnostics, articles, records):
            if not quiet:
                typer.echo(f"warning: not cached: {line}", err=True)
    _pack_done(outputs, diagnostics, meta.title, articles, inputs, failed,
               as_json=as_json, quiet=quiet)


def _pack_done(outputs: Sequence[dict[str, object]], diagnostics: Sequence[Diagnostic], title: str, articles: int,
               inputs: Sequence[str], failed: BriefpubError | None, *, as_json: bool, quiet: bool) -> None:
    """Report a pack: the JSON report, or diagnostics on stderr and output paths on stdout."""
    if as_json:
        import json

        _out(json.dumps({"schema": "briefpub.pack-report/1", "ok": failed is None, "title": title,
                         "articles": articles, "inputs": list(inputs),
                         "outputs": list(outputs), "diagnostics": [d.to_dict() for d in diagnostics],
                         **({"error": str(failed)} if failed else {})},
                        ensure_ascii=False, indent=2))
    else:
        if not quiet:
            _print_diagnostics(diagnostics)
        if failed:
            typer.echo(f"error: {failed}", err=True)
        for output in outputs:
            _out(str(output["path"]))
    if failed:
        raise typer.Exit(failed.exit_code)


@app.command()
def build(
    manifest: Annotated[Path, typer.Option("--manifest", "-m", help="Project file.")] = Path("briefpub.toml"),
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Worker processes.")] = 1,
    shard_spec: Annotated[
        str | None, typer.Option("--shard", metavar="I/N", help="Build only shard I of N (CI matrix).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: the manifest's).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the build report on stdout.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help=_CACHE_DIR_HELP)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Build every artifact; neither read nor "
                                           "write the cache.")] = False,
    server: Annotated[str | None, typer.Option("--server", envvar="BRIEFPUB_SERVER", help=_SERVER_HELP)] = None,
) -> None:
    """Build every pack and article a manifest declares, with SHA256SUMS and build-report.json."""
    import time

    from briefpub.pipeline import build_time_from_env, cleanup_on_termination, remove_stale_temps
    from briefpub.pipeline.build import load_manifest, make_report, parse_shard, plan, run_jobs, shard, write_outputs
    from briefpub.pipeline.cache import DEFAULT_MAX_BYTES, ENV_DIR, BuildCache, max_cache_bytes
    from briefpub.pipeline.output import prepare_out_dir
    from briefpub.writers import WRITERS

    started = time.perf_counter()
    spec = load_manifest(manifest)
    extensions = {name: spec_.extensions[0] for name, spec_ in WRITERS.specs().items() if spec_.extensions}
    for name in WRITERS.names():
        extensions.setdefault(name, f".{name}")
    all_jobs = plan(spec, WRITERS.names(), extensions)
    label = None
    selected = all_jobs
    if shard_spec is not None:
        index, count = parse_shard(shard_spec)
        selected = shard(all_jobs, index, count)
        label = f"{index}/{count}"
    out_dir = out if out is not None else (manifest.parent / spec.out)
    builder = None
    if server:  # each artifact built on a running server's warm workers (up, or one error line now)
        from briefpub.serve.client import remote_build

        builder = remote_build(server)
    prepare_out_dir(out_dir, create=True)
    remove_stale_temps(out_dir)
    build_time = build_time_from_env()
    failures: list[str] = []
    warnings: list[str] = []
    cache: BuildCache | None = None
    root, explicit = _cache_root(manifest, spec.cache, cache_dir)
    max_bytes = DEFAULT_MAX_BYTES
    if not no_cache:
        if root.resolve() == out_dir.resolve() or root.resolve().is_relative_to(out_dir.resolve()):
            raise UsageError(f"cache folder {root} is inside the output folder {out_dir}: choose another "
                             f"(--cache-dir or {ENV_DIR})")
        if not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
            if explicit:
                warnings.append("note: the cache is not used without SOURCE_DATE_EPOCH (every artifact "
                                "carries the current time)")
        else:
            max_bytes = max_cache_bytes()  # a bad $BRIEFPUB_BUILD_CACHE_MAX_SIZE: one line before building
            cache = BuildCache(root, build_time)
            try:
                cache.prepare()
            except BriefpubError as exc:
                warnings.append(f"warning: building without the cache: {exc}")
                cache = None

    def note(result: Any) -> None:
        if result.error:
            failures.append(f"error: {result.path}: {result.error}")
        if result.cache_note:
            warnings.append(f"warning: {result.path}: not cached: {result.cache_note}")
        for diag in result.diagnostics:
            if diag.get("code") == "build.cache-damaged":
                warnings.append(f"warning: {result.path}: {diag.get('message')}")

    with cleanup_on_termination(), _progress(len(selected), not (quiet or as_json)) as bar:

        def progress(result: Any) -> None:
            note(result)
            bar.advance(result.path)

        results = run_jobs(
            selected, out_dir, build_time, workers=jobs, progress=progress, base_dir=str(manifest.parent),
            cache=cache, builder=builder,
        )
    if cache is not None:
        from briefpub.pipeline.build import _display_path

        cache.close(max_bytes,
                    stored=sum(1 for r in results if not r.cached and not r.error))
    shown = None if cache is None else _display_path(str(root), str(manifest.parent))
    report = make_report(spec, results, build_time, label, time.perf_counter() - started, jobs, shown)
    write_outputs(out_dir, report)
    if as_json:
        import json

        _out(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for line in failures:
            typer.echo(line, err=True)
        if not quiet:
            for line in warnings:
                typer.echo(line, err=True)
            built = report["artifacts"] - report["failed"]
            restored = f", {report['cached']} restored from the cache" if report["cached"] else ""
            typer.echo(f"built {built} of {report['artifacts']} artifact(s) in {out_dir}{restored} "
                       f"({report['seconds']:.1f} s); report: {out_dir / 'build-report.json'}", err=True)
    if not report["ok"]:
        raise typer.Exit(max(r.exit_code for r in results))


_PACK_CACHE_HELP = ("Reuse the outputs of an earlier identical pack from this cache folder (default: "
                    "$BRIEFPUB_BUILD_CACHE_DIR; no cache when neither is given). Needs SOURCE_DATE_EPOCH.")
_CACHE_DIR_HELP = ("Cache folder (default: $BRIEFPUB_BUILD_CACHE_DIR, else the manifest's [build] cache, else "
                   ".briefpub-cache beside the manifest).")


def _cache_root(manifest: Path, configured: str, option: Path | None) -> tuple[Path, bool]:
    """The cache folder: --cache-dir, $BRIEFPUB_BUILD_CACHE_DIR, [build] cache, .briefpub-cache beside the manifest;
    and whether it was chosen (not the default)."""

    from briefpub.pipeline.cache import DEFAULT_DIR_NAME, env_cache_dir

    chosen = option if option is not None else env_cache_dir()
    if chosen is not None:
        return chosen, True
    if configured:
        return manifest.parent / configured, True
    return manifest.parent / DEFAULT_DIR_NAME, False


cache_app = typer.Typer(help="Inspect and empty the build cache.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(cache_app, name="cache")
_CACHE_MANIFEST_HELP = "Project file whose cache is meant (its [build] cache, else .briefpub-cache beside it)."


def _cache_folder(manifest: Path, cache_dir: Path | None) -> Path:
    from briefpub.pipeline.build import load_manifest
    from briefpub.pipeline.cache import env_cache_dir

    # the manifest is read only when neither --cache-dir nor the environment names the folder
    named = cache_dir is not None or env_cache_dir() is not None
    configured = load_manifest(manifest).cache if not named and manifest.is_file() else ""
    return _cache_root(manifest, configured, cache_dir)[0]


@cache_app.command("prune")
def cache_prune(
    max_size: Annotated[str, typer.Option("--max-size", help="Keep at most this much, e.g. 500M or 2G; the "
                                          "entries used least recently go first.")],
    manifest: Annotated[Path, typer.Option("--manifest", "-m", help=_CACHE_MANIFEST_HELP)] = Path("briefpub.toml"),
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help=_CACHE_DIR_HELP)] = None,
) -> None:
    """Remove the build cache's least recently used entries until it fits MAX_SIZE."""
    from briefpub.pipeline.cache import entry_files, parse_size, trim

    folder = _cache_folder(manifest, cache_dir)
    removed, freed = trim(folder, parse_size(max_size, "--max-size"))
    left = entry_files(folder)
    _out(f"{folder}: removed {removed} entr{'y' if removed == 1 else 'ies'} ({freed / 1048576:.1f} MiB); "
         f"{len(left)} left ({sum(e[1] for e in left) / 1048576:.1f} MiB)")


@cache_app.command("clear")
def cache_clear(
    manifest: Annotated[Path, typer.Option("--manifest", "-m", help=_CACHE_MANIFEST_HELP)] = Path("briefpub.toml"),
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help=_CACHE_DIR_HELP)] = None,
) -> None:
    """Remove every entry of the build cache."""
    from briefpub.pipeline.cache import clear

    folder = _cache_folder(manifest, cache_dir)
    removed, freed = clear(folder)
    _out(f"{folder}: removed {removed} entr{'y' if removed == 1 else 'ies'} ({freed / 1048576:.1f} MiB)")


_MAX_REPORT_BYTES = 256 * 1024 * 1024


@app.command("merge-reports")
def merge_reports_command(
    reports: Annotated[list[Path], typer.Argument(metavar="REPORT...", help="Shard build reports.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the merged report and SHA256SUMS.")] = Path(
        "out"
    ),
) -> None:
    """Merge the build reports of shards into the full report and SHA256SUMS."""
    import json

    from briefpub.pipeline.build import merge_reports, write_outputs
    from briefpub.pipeline.output import prepare_out_dir

    loaded = []
    for path in reports:
        try:
            size = path.stat().st_size
            if size <= _MAX_REPORT_BYTES:  # a larger file is refused before it is read
                loaded.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: cannot read build report ({exc})") from None
        if size > _MAX_REPORT_BYTES:
            raise UsageError(f"{path}: too large for a build report ({size / 1048576:.0f} MiB; the limit is "
                             f"{_MAX_REPORT_BYTES // 1048576} MiB)")
    merged = merge_reports(loaded, [str(p) for p in reports])
    prepare_out_dir(out, create=True)
    write_outputs(out, merged)
    _out(str(out / "build-report.json"))
    if not merged["ok"]:
        raise typer.Exit(1)


def _outline(result: Any) -> Iterator[str]:
    from briefpub.tree import (
        BlockQuote,
        BulletList,
        Figure,
        Heading,
        OrderedList,
        PageBreak,
        Paragraph,
        Table,
        ThematicBreak,
        inline_text,
    )

    doc = result.document
    m = doc.meta
    yield f"title:    {m.title or '(none)'}"
    for label, value in (
        ("subtitle", m.subtitle),
        ("authors", ", ".join(m.authors)),
        ("date", f"{m.date} ({m.date_iso})" if m.date_iso else m.date),
        ("source", m.source),
        ("url", m.url),
        ("language", m.language or "(not stated: the style's default applies)"),
        ("marking", m.marking),
        ("summary", " | ".join(m.summary)),
        ("keywords", ", ".join(m.keywords)),
    ):
        if value:
            yield f"{label + ':':<10}{value}"
    if result.encoding:
        yield f"encoding: {result.encoding}"
    yield f"blocks:   {len(doc.blocks)}"

    def short(text: str, width: int = 70) -> str:
        return text if len(text) <= width else text[: width - 1] + "\u2026"

    for block in doc.blocks:
        match block:
            case Heading():
                yield f"  {'#' * block.level} {inline_text(block.children)}"
            case Paragraph():
                text = inline_text(block.children)
                yield f"  \u00b6 {short(text)} [{len(text.split())} words]"
            case Figure():
                image = f" image={block.image}" if block.image else ""
                yield f"  figure{image}: {short(inline_text(block.caption))}"
            case BlockQuote():
                yield f"  quote: {len(block.blocks)} block(s)"
            case BulletList() | OrderedList():
                yield f"  list: {len(block.items)} item(s)"
            case Table():
                yield f"  table: {len(block.header) + len(block.rows)} row(s)"
            case ThematicBreak():
                yield "  * * *"
            case PageBreak():
                yield "  (page break)"
            case _:
                assert_never(block)
    if result.diagnostics:
        yield "removed or doubted:"
        for d in result.diagnostics:
            where = f"line {d.line}: " if d.line else ""
            text = f": {d.text!r}" if d.text else ""
            yield f"  {where}{d.message}{text} [{d.code}]"


@app.command()
def inspect(
    input_: Annotated[str, typer.Argument(metavar="INPUT", help="Article file; '-' reads stdin; or an http(s) URL.")],
    from_: Annotated[str | None, typer.Option("--from", "-f", help=_FROM_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON tree and diagnostics.")] = False,
) -> None:
    """Show the document tree and what the reader removed or doubted."""
    from briefpub.jsontree import document_to_dict
    from briefpub.pipeline import read_input
    from briefpub.transforms import prepare

    result = read_input(input_, from_)
    if as_json:
        import json

        data = {
            "schema": "briefpub.inspect/1",
            "source": "<stdin>" if input_ == "-" else input_,
            "encoding": result.encoding,
            "document": document_to_dict(prepare(result.document)),
            "diagnostics": [d.to_dict() for d in result.diagnostics],
        }
        _out(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in _outline(result):
        _out(line)


@app.command()
def formats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List input and output formats (built-in and plugins)."""
    from briefpub.readers import READERS
    from briefpub.writers import PUBLICATION_FORMATS, WRITERS

    rows: list[dict[str, Any]] = []
    for kind, registry in (("input", READERS), ("output", WRITERS)):
        for name, spec in registry.specs().items():
            problem = None if spec.builtin else registry.check(name)
            rows.append(
                {
                    "kind": kind,
                    "name": name,
                    "extensions": list(spec.extensions),
                    "description": spec.description,
                    "builtin": spec.builtin,
                    "default": kind == "output" and name in PUBLICATION_FORMATS,
                    "error": problem,
                }
            )
    if as_json:
        import json

        _out(json.dumps(rows, indent=2))
        return
    for kind in ("input", "output"):
        _out(f"{kind} formats:")
        for row in (r for r in rows if r["kind"] == kind):
            mark = " (default)" if row["default"] else ""
            broken = f"  [broken: {row['error']}]" if row["error"] else ""
            _out(f"  {row['name']:<6} {row['description']}{mark}{broken}")


@app.command()
def styles(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the built-in style sheets."""
    from briefpub.styling import DEFAULT_SHEET, builtin_names, load_style

    rows = []
    for name in builtin_names():
        sheet = load_style(name)
        rows.append(
            {
                "name": name,
                "description": sheet.description,
                "page": sheet.page.size,
                "default": name == DEFAULT_SHEET,
            }
        )
    if as_json:
        import json

        _out(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = " (default)" if row["default"] else ""
        _out(f"  {row['name']:<10} {row['page']:<7} {row['description']}{mark}")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on.")] = 8000,
    data: Annotated[Path | None, typer.Option("--data", help="Folder for the drafts database "
                                              "(default: ~/.local/share/briefpub/serve).")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="BRIEFPUB_TOKEN", show_envvar=True,
        help="Bearer token clients must send; required off the loopback.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, max=64, help="Warm worker processes.")] = 2,
) -> None:
    """Serve the web page for assembling briefing packs, and the HTTP API (docs/serve.md)."""
    import importlib.util

    from briefpub.errors import SetupError

    missing = [m for m in ("starlette", "uvicorn", "multipart") if importlib.util.find_spec(m) is None]
    if missing:
        raise SetupError(f"briefpub serve needs {', '.join(missing)} (dependencies of briefpub): reinstall "
                         "briefpub, e.g. pip install --force-reinstall briefpub")
    from briefpub.serve.app import LOOPBACK_HOSTS, Config, default_data_dir, run

    if token is not None and not token.strip():
        raise UsageError("--token: empty")
    if host not in LOOPBACK_HOSTS and not token:
        raise UsageError(f"--host {host}: binding off the loopback needs a token (--token or BRIEFPUB_TOKEN)")
    folder = data if data is not None else default_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from briefpub.pipeline.output import output_error

        raise output_error(folder, exc) from None
    run(Config(data=folder, host=host, port=port, token=token, workers=workers))


# ----------------------------------------------------------------------------- entry point


def _hoist_debug(args: list[str]) -> list[str]:
    """Move ``--debug`` given anywhere (``briefpub convert x.txt --debug``) to the front, where click takes it.

    Only before a ``--``: after it, ``--debug`` is a file name.
    """
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug", *(a for a in args[:end] if a != "--debug"), *args[end:]]


_ROOT_FLAGS = frozenset({"--debug"})
"""The root options that can come before a command name and leave its choice open (``--help`` and
``--version`` are answered by the root itself)."""


def _command_app(args: Sequence[str]) -> typer.Typer:
    """The app to run ``args`` with: when they name a command, one holding just that command.

    typer builds every command's click parameters (the signature and type hints of each function)
    before it parses anything; a cold ``briefpub convert`` would pay for ``serve``, ``pack``, ``cache``
    and the rest. The lean app shares the root's settings and callback, so the named command parses,
    helps and fails exactly as in the full app; ``--version`` (an eager root option, answered before
    any command is looked at) gets the root alone. Anything else (no command, ``--help``, an unknown
    name, which click answers with the full list) gets the full app.
    """
    from typer.main import get_command_name

    name = next((a for a in args if a not in _ROOT_FLAGS), None)
    if name == "--version":  # answered by the root's eager callback before any command is looked at
        lean = copy.copy(app)
        lean.registered_commands = []
        lean.registered_groups = []
        return lean
    if name is None or name.startswith("-"):
        return app
    commands = [c for c in app.registered_commands
                if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    lean = copy.copy(app)
    lean.registered_commands = commands
    lean.registered_groups = groups
    return lean


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the app, turning errors into one line and an exit code."""
    from briefpub._codecache import install

    install()  # before the commands import the tree, styles and writers: their classes cost less to create
    from typer import Abort, Exit
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    args = _hoist_debug(list(sys.argv[1:] if argv is None else argv))
    command = typer.main.get_command(_command_app(args))

    def run() -> int | None:
        try:
            code = command.main(args=args, prog_name="briefpub", standalone_mode=False)
        except Exit as exc:
            return exc.exit_code
        except NoArgsIsHelpError as exc:
            echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            return 2
        except ClickException as exc:
            echo(f"error: {exc.format_message()} (see 'briefpub --help')", err=True)
            return 2 if exc.exit_code == 2 else exc.exit_code
        except Abort as exc:
            raise KeyboardInterrupt from exc
        # With standalone_mode=False, click returns the code of a typer.Exit raised by a command, and
        # typer turns Ctrl-C into a silent 130 (guarded prints the line).
        return code if isinstance(code, int) else 0

    code = guarded(run, debug=args[:1] == ["--debug"])
    if code:
        sys.exit(code)
