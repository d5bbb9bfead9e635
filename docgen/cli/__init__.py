"""`docgen` command line: a thin shell over the API.

Exit status: 0 all records rendered or valid; 1 an error stopped the command (bad layout, unreadable
file, an output path that cannot be written); 2 usage error; 3 some records were rejected (the good
ones were still rendered); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import atexit
import difflib
import gc
import json
import os
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from docgen.api import check, render_pdf
from docgen.cli.batch import add_batch_parser
from docgen.cli.fields import field_table, layout_field_table
from docgen.cli.preview import add_preview_commands
from docgen.cli.status import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_REJECTED
from docgen.elements.registry import kinds, registry
from docgen.errors import DocgenError, RecordFileError
from docgen.fonts import load_fonts
from docgen.fonts.sequences import code_points
from docgen.layout import search
from docgen.layout.includes import load_part
from docgen.layout.loader import load_layout, load_profile
from docgen.layout.model import IncludeElement, layout_schema
from docgen.layout.scheme import load_scheme
from docgen.layout.search import BUILTIN_PREFIX
from docgen.output.pdf import RenderReport
from docgen.pipeline import open_job
from docgen.paths import SAMPLES
from docgen.records import read_records


class _Parser(argparse.ArgumentParser):
    """Options and positionals in any order (`docgen diff LAYOUT --against HEAD DATA -o d.png`):
    every subcommand parses as argparse's parse_intermixed_args does."""

    _intermixed = False

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        # a parser with subcommands cannot parse intermixed; its subcommands do. The flag stops the
        # recursion: parse_known_intermixed_args calls parse_known_args itself.
        if self._intermixed or self._subparsers is not None:
            return super().parse_known_args(args, namespace)
        self._intermixed = True
        try:
            parsed, extras = self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixed = False
        if extras:
            self._refuse(extras)
        return parsed, extras

    def _refuse(self, extras: list[str]) -> NoReturn:
        """What a command does not know is its own usage error (`docgen batch: unknown option
        --wrokers; did you mean '--workers'?; see docgen batch --help`), not the top level's."""
        options = [o for o in extras if o.startswith("-")]
        if not options:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        word = options[0].split("=", 1)[0]
        # matched without the dashes, which every long option shares
        known = [o[2:] for o in self._option_string_actions if o.startswith("--")]
        close = difflib.get_close_matches(word.lstrip("-"), known, n=1)
        self.error(f"unknown option {word}" + (f"; did you mean '--{close[0]}'?" if close else ""))

    def error(self, message: str) -> NoReturn:
        """A usage error is one line starting `docgen:` like every other error (README), not
        argparse's block of usage lines: the command, what is wrong, and where the usage is."""
        command = self.prog.removeprefix("docgen").strip()
        self.exit(2, f"docgen: {command + ': ' if command else ''}{message}; see {self.prog} --help\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _folder(text: str) -> Path:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is not a folder")
    return Path(text)


def _search_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layouts", type=_folder, action="append", default=[], metavar="DIR",
                   help=f"a folder of your own layouts (NAME.yaml, parts/, profiles/), searched before "
                        f"{search.ENV_VAR} and the built-in ones; repeatable")


def _file_name(text: str) -> Path:
    """An output file's name: `-o out/` names a folder (the shell's completion adds the slash), and
    a file called `out` written in its place would surprise whoever looks for the folder."""
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"'{text}' names a folder; give a file name, e.g. {text.rstrip('/' + os.sep)}/cards.pdf")
    return Path(text)


def _data_options(p: argparse.ArgumentParser) -> None:
    _search_option(p)
    p.add_argument("--mapping", type=Path, help="YAML file mapping the file's column headers to field names")
    p.add_argument("--encoding", help="force the input encoding (default: detect UTF-8, UTF-8 BOM, CP932)")
    p.add_argument("--profile", help="insurer profile: NAME (on the search path), docgen:NAME or a file "
                                     "(default: the layout's)")
    p.add_argument("--renewal", type=_date, metavar="YYYY-MM-DD", help="renewal start that drives derived 有効期限")
    p.add_argument("--id", dest="record_id", help="only the record with this 管理番号 (counter reissue)")


def _print_rejects(report_problems: Sequence[object], rows: int) -> None:
    for p in report_problems:
        print(f"rejected: {p}", file=sys.stderr)
    if rows:
        print(f"{rows} record(s) rejected", file=sys.stderr)


def _origin(found: search.Found, kind: search.Kind) -> str:
    """Where a listed layout or profile comes from, and what it shadows."""
    where = f"{found.path}" + (" (built-in)" if found.place.builtin else "")
    shadowed = ["the built-in one" if p.is_relative_to(search.BUILTIN.folder(kind)) else str(p) for p in found.shadows]
    return where + (f" (shadows {', '.join(shadowed)})" if shadowed else "")


def _listing(kind: search.Kind, describe: Callable[[Path], str]) -> int:
    """One line per name on the search path; one that does not load is shown with its error."""
    status = 0
    found_all = search.listing(kind)
    width = max((len(f.name) for f in found_all), default=0)
    for found in found_all:
        try:
            text = describe(found.path)
            text = text if len(text) <= 80 else text[:79] + "…"
        except DocgenError as exc:
            text, status = "does not load:\n    " + str(exc).replace("\n", "\n    "), EXIT_ERROR
        print(f"{found.name:{width}}  {_origin(found, kind)}  {text}")
    return status


def cmd_layouts(args: argparse.Namespace) -> int:
    return _listing("layout", lambda path: load_layout(path).model.description)


def cmd_parts(args: argparse.Namespace) -> int:
    return _listing("part", lambda path: load_part(path).description)


def cmd_profiles(args: argparse.Namespace) -> int:
    def describe(path: Path) -> str:
        profile = load_profile(path)
        return f"{profile.scheme} {profile.insurer_number} {profile.name}"
    return _listing("profile", describe)


def cmd_schemes(args: argparse.Namespace) -> int:
    def describe(path: Path) -> str:
        scheme = load_scheme(path)
        return f"{scheme.title}: {scheme.spec.description}"
    return _listing("scheme", describe)


def cmd_render(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    report: RenderReport = render_pdf(args.layout, args.data, args.output, profile=args.profile, mapping=args.mapping,
                                      encoding=args.encoding, renewal_start=args.renewal, record_id=args.record_id)
    _print_rejects(report.rejected, report.rejected_rows)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not report.rendered:
        why = f"no record with 管理番号 {args.record_id}" if args.record_id and report.read == 0 \
            else "nothing rendered: every record was rejected"
        # nothing was written: a file of that name is an earlier run's, left alone (it may be a
        # finished mailing), and must not be taken for this run's
        earlier = f"; {args.output} is from an earlier run, not this one, and was left as it was" \
            if os.path.lexists(args.output) else ""
        raise RecordFileError(f"{args.data}: {why}{earlier}")
    print(f"{args.output}: {report.rendered} record(s), {report.pages} page(s) "
          f"in {time.perf_counter() - start:.2f} s; {report.rejected_rows} rejected")
    return EXIT_REJECTED if report.rejected_rows else 0


def cmd_validate(args: argparse.Namespace) -> int:
    read = bad = 0
    for outcome in check(args.layout, args.data, profile=args.profile, mapping=args.mapping,
                         encoding=args.encoding, renewal_start=args.renewal, record_id=args.record_id):
        read += 1
        if outcome.problems:
            bad += 1
            for p in outcome.problems:
                print(p)
        for w in outcome.document.warnings if outcome.document else ():
            print(f"warning: {w}", file=sys.stderr)
    print(f"{read} record(s) read, {read - bad} valid, {bad} rejected")
    return EXIT_REJECTED if bad else 0


def cmd_fonts_check(args: argparse.Namespace) -> int:
    if args.profile and not args.layout:
        args.parser.error("--profile needs a LAYOUT (whose records, with that insurer profile, are read)")
    # with a LAYOUT the records are read as that job reads them: its scheme's, layout's and
    # profile's fields (and their labels as column headers) are known
    job = open_job(args.layout, args.profile) if args.layout else None
    fonts = job.fonts if job else load_fonts()
    chain = fonts.chain(args.family)
    # per character: the family that draws it, None for no font, and where it is used
    found: dict[str, tuple[str | None, list[str]]] = {}
    for src in read_records(args.data, mapping=args.mapping, encoding=args.encoding,
                            fields=job.fields if job else None):
        for field, value in (job.read(src) if job else src).fields.items():
            for seq, family in chain.drawn_by(value or "").items():
                if family != chain.family:
                    found.setdefault(seq, (family, []))[1].append(f"row {src.row} {field}")
    for seq, (family, where) in found.items():
        said = f"from the fallback {family}" if family else f"no font in the '{args.family}' chain has it"
        print(f"{code_points(seq)}: {said} ({len(where)} use(s): {', '.join(where[:5])}{' ...' if len(where) > 5 else ''})")
    uncovered = sum(family is None for family, _ in found.values())
    print(f"{len(found) - uncovered} character(s) from a fallback font")
    print(f"{uncovered} uncovered character(s)")
    return EXIT_REJECTED if uncovered else 0


def cmd_fields(args: argparse.Namespace) -> int:
    if args.profile and not args.layout:
        args.parser.error("--profile needs a LAYOUT (the fields of a layout with that insurer profile)")
    print(layout_field_table(args.layout, args.profile) if args.layout else field_table())
    return 0


def cmd_kinds(args: argparse.Namespace) -> int:
    """Every element kind a layout may use: docgen's own, then those of installed plug-ins."""
    reg = registry()
    # `include` is no kind (the loader replaces it by its part's elements) but layouts write it
    # like one: listed last, as part of the layout format
    models = {name: kind.model for name, kind in kinds().items()} | {"include": IncludeElement}
    origins = {name: reg.packages.get(name, "built-in") for name in kinds()} | {"include": "layout format"}
    width, origin_width = max(map(len, origins)), max(map(len, origins.values()))
    for name, model in models.items():
        about = (model.__doc__ or "").strip().split("\n")[0]
        print(f"{name:{width}}  {origins[name]:{origin_width}}  {about}".rstrip())
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(layout_schema(), ensure_ascii=False, indent=2))
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    """The main job on the bundled samples: a PDF and a PNG preview per sample file."""
    from docgen.output.files import save_png
    from docgen.preview.raster import (  # pypdfium2: not at every start
        rasterise,
        side_by_side,
    )
    from docgen.preview.snapshot import sample_list

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    for entry in sample_list():
        data = SAMPLES / entry["data"]
        mapping = SAMPLES / entry["mapping"] if entry.get("mapping") else None
        stem = Path(entry["data"]).stem
        pdf = out / f"{entry['layout']}--{stem}.pdf"
        start = time.perf_counter()
        layout = BUILTIN_PREFIX + entry["layout"]        # the bundled samples are for the built-in layouts
        report = render_pdf(layout, data, pdf, mapping=mapping)
        # a sample may get records wrong on purpose (samples.yaml: expect_rejected), to show rejections
        expected = int(entry.get("expect_rejected", 0))
        if report.rejected_rows != expected:
            status = 1
            why = f" ({expected} expected: the sample run fails)"
        else:
            why = " (deliberately: this sample shows rejections)" if expected else ""
        print(f"{pdf}: {report.rendered} rendered, {report.rejected_rows} rejected{why}, {report.pages} pages, "
              f"{time.perf_counter() - start:.2f} s")
        for p in report.rejected:
            print(f"  rejected: {p}")
        for w in report.warnings:
            print(f"  warning: {w}")
        if report.rendered:
            n = len(load_layout(layout).pages)
            pages = rasterise(pdf, 200)[:n]
            png = pdf.with_suffix(".png")
            save_png(side_by_side(pages), png)
            print(f"{png}: first record, {n} page(s)")
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="docgen", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    for name, func, what in (("layouts", cmd_layouts, "the layouts on the search path: yours, then the built-in ones"),
                             ("parts", cmd_parts, "the parts on the search path (include them by name, or docgen:NAME)"),
                             ("profiles", cmd_profiles, "the insurer profiles on the search path"),
                             ("schemes", cmd_schemes, "the schemes (国保, 健康保険, ...) on the search path")):
        p = sub.add_parser(name, help="list " + what)
        _search_option(p)
        p.set_defaults(func=func)

    p = sub.add_parser("render", help="render every record of DATA with LAYOUT into one PDF")
    p.add_argument("layout")
    p.add_argument("data", type=Path)
    p.add_argument("-o", "--output", type=_file_name, required=True, metavar="FILE.pdf")
    _data_options(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("validate", help="check DATA against LAYOUT without rendering")
    p.add_argument("layout")
    p.add_argument("data", type=Path)
    _data_options(p)
    p.set_defaults(func=cmd_validate)

    add_preview_commands(sub, _data_options)

    p = sub.add_parser("fonts", help="font tools")
    fsub = p.add_subparsers(dest="fonts_command", required=True)
    fc = fsub.add_parser("check", help="list characters in DATA that no configured font covers, and those "
                                       "a fallback font draws")
    fc.add_argument("layout", nargs="?", help="read DATA with this layout's fields (its scheme's, its own and its "
                                              "profile's): NAME, docgen:NAME or a file")
    fc.add_argument("data", type=Path)
    fc.add_argument("--family", default="gothic", help="font family whose chain is checked")
    fc.add_argument("--mapping", type=Path)
    fc.add_argument("--encoding")
    fc.add_argument("--profile", help="insurer profile whose fields count too (default: the layout's)")
    _search_option(fc)
    fc.set_defaults(func=cmd_fonts_check, parser=fc)

    sub.add_parser("kinds", help="list the element kinds layouts may use: built-in, then plug-ins")\
        .set_defaults(func=cmd_kinds)
    sub.add_parser("schema", help="print the JSON Schema of layout files").set_defaults(func=cmd_schema)
    p = sub.add_parser("fields", help="print the field dictionary (Markdown); with LAYOUT, the fields its records may "
                                      "have (its scheme's, its own and its profile's) and what it does with each")
    p.add_argument("layout", nargs="?", help="a layout: NAME (on the search path), docgen:NAME or a file")
    p.add_argument("--profile", help="insurer profile whose fields count too (default: the layout's)")
    _search_option(p)
    p.set_defaults(func=cmd_fields, parser=p)

    add_batch_parser(sub, _data_options)

    p = sub.add_parser("samples", help="render every bundled sample to PDF and PNG")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the PDFs and PNGs")
    p.set_defaults(func=cmd_samples)
    return parser


def _add_debug(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show a Python traceback for errors (for reporting a bug)")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                # SUPPRESS: `docgen --debug render ...` is not undone by the subcommand's own default
                _add_debug(sub, argparse.SUPPRESS)


def os_error_message(exc: OSError) -> str:
    """One line for an OSError on a user's path: what failed, on which file, and why."""
    reason = exc.strerror or type(exc).__name__
    files = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
    return f"{' -> '.join(files)}: {reason}" if files else reason


def _search_folders(args: argparse.Namespace) -> list[Path]:
    """The folders of --layouts, then the folder of a LAYOUT given as a file: the names it writes
    (`profile: town`, `scheme: mine`, `part: contact`) are found beside it, as with --layouts
    FOLDER, so `docgen diff my-forms/card.yaml --against HEAD` needs no --layouts."""
    folders = list(getattr(args, "layouts", []))
    layout = getattr(args, "layout", None)
    if layout and not search.is_name(layout) and not layout.startswith(BUILTIN_PREFIX) and Path(layout).is_file():
        folder = Path(layout).parent
        if folder.resolve() not in {f.resolve() for f in folders}:
            folders.append(folder)
    return folders


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every error a user can cause is one line on stderr and an exit status
    (docgen.cli.status and README's "Exit status"), a traceback only with --debug."""
    parser = build_parser()
    _add_debug(parser, False)
    args = parser.parse_args(argv)
    try:
        with search.prepended(_search_folders(args)):
            return args.func(args)
    except DocgenError as exc:
        if args.debug:
            raise
        print(f"docgen: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader of our output went away (`docgen layouts | head`): not an error to report;
        # point stdout at /dev/null so the interpreter's final flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as exc:
        if args.debug:
            raise
        print(f"docgen: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("docgen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def run() -> None:
    """The `docgen` command (and `python -m docgen.cli`): main() in a process of its own."""
    # What the imports built (modules, pydantic models, ReportLab tables) lives as long as the
    # process: keep the cyclic collector from scanning it over and over (≈15 % of a reissue).
    # Only here: a program that calls main() itself keeps its collector as it was.
    gc.freeze()
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)          # threads to wait for: the interpreter's own exit joins them
    # Finalizing the interpreter would free every object one at a time (≈20 ms of a counter
    # reissue: the parsed fonts alone are 100,000 objects). The exit handlers (logging, process
    # pools, temporary folders) are all that must run; the operating system takes back the rest.
    atexit._run_exitfuncs()     # CPython's own (private) runner of what atexit holds
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None without a console (pythonw)
                stream.flush()
    except OSError:
        code = 120              # what the interpreter returns when its final flush fails
    os._exit(code)
