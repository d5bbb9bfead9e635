"""`docgen preview`, `docgen diff` and `docgen serve`: see a layout edit at once, and what it changed.

Exit status: preview 0, or 3 when the shown record is rejected, 1 when an element lies off the
page (the image is still written, the element outlined in red); diff 0 when nothing changed and
1 when something did (so it can guard a review); serve 0; 2 for a usage error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from docgen.cli.options import whole_number
from docgen.cli.status import EXIT_CHANGED, EXIT_ERROR, EXIT_REJECTED
from docgen.layout.loader import ResolvedLayout, load_layout
from docgen.output.files import Inputs, check_target, save_png
from docgen.pipeline import Job, open_job
from docgen.records import SourceRecord

# The rasteriser (pypdfium2), the diff and the web server are imported by the commands that use
# them, not at every start: a counter reissue (`docgen render --id`) needs none of them.
if TYPE_CHECKING:
    from docgen.preview.snapshot import RecordFile

MAX_DPI = 1200       # an A4 page at 1200 dpi is 140 megapixels already


def _records(args: argparse.Namespace, layout: ResolvedLayout) -> RecordFile:
    from docgen.preview.snapshot import RecordFile, default_records

    if args.data:
        return RecordFile(args.data, args.mapping, args.encoding)
    return default_records(layout)


def _job_and_record(args: argparse.Namespace, **reads: Path | None) -> tuple[Job, SourceRecord]:
    """The job and the record to show, once `args.output` is known not to be any file the
    command reads (the layout and its parts, the profile, the records, `reads`)."""
    from docgen.preview.snapshot import pick_record

    job = open_job(load_layout(args.layout, allow_off_page=True), args.profile, args.renewal)
    records = _records(args, job.layout)
    inputs = Inputs.of(job, records_file=records.path, mapping_file=records.mapping, **reads)
    check_target(args.output, inputs)
    return job, pick_record(job, records, record_id=args.record_id)


def _shown(job: Job, src: SourceRecord) -> str:
    """Which record is shown: its row, and its 管理番号 only when it passes its own rules (a
    mis-mapped column could otherwise print a name), as in every other message."""
    rid = job.validate_one(src)[0].get("record_id")
    return f"{src.where}" + (f" [{rid}]" if rid else "")


def _off_page(layout: ResolvedLayout) -> int:
    """Elements off the page are a layout error: the image shows them (red), the status says so."""
    for problem in layout.off_page:
        print(f"docgen: {layout.source}: {problem}", file=sys.stderr)
    return EXIT_ERROR if layout.off_page else 0


def cmd_preview(args: argparse.Namespace) -> int:
    from docgen.preview.snapshot import snapshot

    job, src = _job_and_record(args)
    shot = snapshot(job, src, args.dpi)
    save_png(shot.sheet(args.page, args.boxes), args.output)
    if args.boxes:
        print("\n".join(shot.notes(args.page)))
    for p in shot.problems:
        print(f"rejected: {p}", file=sys.stderr)
    print(f"{args.output}: {_shown(job, src)}, page(s) {args.page} at {args.dpi} dpi")
    return _off_page(job.layout) or (EXIT_REJECTED if shot.problems else 0)


def cmd_diff(args: argparse.Namespace) -> int:
    from docgen.preview.layout_diff import diff_layouts, load_against

    against = Path(args.against)
    job, src = _job_and_record(args, layout_compared_against=against if against.is_file() else None)
    before = open_job(load_against(args.against, job.layout), args.profile, args.renewal)
    result = diff_layouts(before, job, src, args.page, args.dpi, args.against)
    save_png(result.sheet, args.output)
    for line in result.lines():
        print(line)
    verdict = f"{len(result.changes)} element change(s)" if result.changed else "no changes"
    print(f"{args.output}: {verdict} against {args.against}, rendered with {_shown(job, src)}")
    return _off_page(job.layout) or (EXIT_CHANGED if result.changed else 0)


def cmd_serve(args: argparse.Namespace) -> int:
    from docgen.preview.server import PreviewApp, make_server
    from docgen.preview.snapshot import RecordFile

    records = RecordFile(args.data, args.mapping, args.encoding) if args.data else None
    app = PreviewApp(args.layout, records, args.profile, args.renewal, args.dpi, args.record_id,
                     read_only="started with --read-only" if args.read_only else None)
    app.state({})        # fail now, not on the page, if the layout name or the data file is wrong
    server = make_server(app, args.port)
    try:        # from here on Ctrl-C is the normal way to stop, whenever it comes
        mode = f"read-only: {app.designer.read_only}" if app.designer.read_only else "edits are saved to it"
        print(f"docgen serve: http://127.0.0.1:{server.server_address[1]}/ shows {app.layout_file} ({mode}; Ctrl-C stops)",
              flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _png(text: str) -> Path:
    """The image written is a PNG: a name that says otherwise would mislead whoever opens it."""
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"'{text}' does not end in .png (the image written is a PNG)")
    return Path(text)


def add_preview_commands(sub: argparse._SubParsersAction, data_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register preview, diff and serve; `data_options` adds the shared --mapping/--profile/... options."""
    def common(p: argparse.ArgumentParser, dpi: int) -> None:
        p.add_argument("layout", help="layout name or file")
        p.add_argument("data", type=Path, nargs="?", help="records file (default: the layout's bundled sample)")
        p.add_argument("--dpi", type=whole_number(20, MAX_DPI), default=dpi, help=f"resolution (default {dpi})")
        data_options(p)

    p = sub.add_parser("preview", help="write a PNG of one record's pages, optionally with every element's box")
    common(p, 300)
    p.add_argument("-o", "--output", type=_png, required=True, metavar="FILE.png")
    p.add_argument("--page", default="all", help="a page name (front, back) or all")
    p.add_argument("--boxes", action="store_true", help="outline and name every element; colour the ones that "
                   "needed shrinking, condensing or wrapping, and the ones that do not fit")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("diff", help="show what a layout edit changed; exit 1 when something did")
    common(p, 200)
    p.add_argument("--against", required=True, metavar="REV_OR_FILE",
                   help="a layout file, or a git revision of the same file (its parts taken from that revision)")
    p.add_argument("-o", "--output", type=_png, required=True, metavar="FILE.png")
    p.add_argument("--page", default="all", help="a page name (front, back) or all")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("serve", help="a local web page that re-renders the layout whenever it is saved, and "
                       "edits it: move, resize, change, add and delete elements, saved back to the YAML")
    common(p, 200)
    p.add_argument("--port", type=whole_number(0, 65535), default=8000, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--read-only", action="store_true", help="show the designer without letting it write (for review)")
    p.set_defaults(func=cmd_serve)

