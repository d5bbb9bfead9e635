"""The pipeline reads top-down: no module of docgen imports from a later stage.

Stages, from the bottom: the base modules every stage may use (errors, fields, the template and
`when:` languages, 和暦, fonts, postal codes, 2-D symbols, YAML reading), then records →
validate → element kinds → layout → bind → the pipeline → render → output → preview → the
API → the command line. A module may import from its own stage and the ones before it. The
imports are read from the source (every `import`, also inside functions and TYPE_CHECKING
blocks), so the rule holds for code that is not run here too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import docgen

PACKAGE = Path(docgen.__file__).resolve().parent

# (stage, the modules and packages in it), from the bottom up
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("docgen.errors", "docgen.paths", "docgen.usercache", "docgen.yamlfile", "docgen.fields", "docgen.wareki",
              "docgen.template", "docgen.expiry", "docgen.conditions", "docgen.fonts", "docgen.postal", "docgen.symbols",
              "docgen.units", "docgen.digest")),
    ("records", ("docgen.records",)),
    ("validate", ("docgen.validate",)),
    ("elements", ("docgen.elements",)),
    ("layout", ("docgen.layout",)),
    ("bind", ("docgen.bind",)),
    ("pipeline", ("docgen.pipeline",)),
    ("render", ("docgen.render",)),
    ("output", ("docgen.output",)),
    ("preview", ("docgen.preview",)),
    ("api", ("docgen.api",)),
    ("cli", ("docgen.cli", "docgen")),     # docgen/__init__.py is the package's public face
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> int | None:
    """The stage of a module: the one naming the longest prefix of it."""
    best: tuple[int, int] | None = None
    for index, (_, members) in enumerate(STAGES):
        for member in members:
            if module == member or module.startswith(member + "."):
                if best is None or len(member) > best[1]:
                    best = (index, len(member))
    return best[0] if best else None


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every docgen module the file imports; `from docgen import x` names the
    submodule x when there is one."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py").is_file() \
                    or (PACKAGE.parent / Path(*sub.split(".")) / "__init__.py").is_file()
                found.append((node.lineno, sub if is_module else base))
    return sorted({(line, name) for line, name in found if name == "docgen" or name.startswith("docgen.")})


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_stage() -> None:
    assert len(sources()) > 50
    unplaced = [module_name(p) for p in sources() if stage_of(module_name(p)) is None]
    assert not unplaced, f"modules in no stage (add them to STAGES): {unplaced}"


def test_no_module_imports_from_a_later_stage() -> None:
    wrong = []
    for path in sources():
        importer = module_name(path)
        own = stage_of(importer)
        for line, imported in imports(path):
            theirs = stage_of(imported)
            if own is not None and theirs is not None and theirs > own:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {importer} ({STAGES[own][0]}) imports "
                             f"{imported} ({STAGES[theirs][0]})")
    assert not wrong, "imports from a later stage:\n" + "\n".join(wrong)


def test_the_reader_of_imports_sees_every_form() -> None:
    """The check itself: relative, nested and `from docgen import x` imports are all seen."""
    names = {name for _, name in imports(PACKAGE / "layout" / "model.py")}
    assert {"docgen.elements.base", "docgen.elements.registry", "docgen.fields", "docgen.yamlfile"} <= names
    names = {name for _, name in imports(PACKAGE / "elements" / "customer_barcode.py")}
    assert "docgen.postal" in names                            # from docgen import postal
    assert stage_of("docgen.elements.qr") < stage_of("docgen.layout.model") < stage_of("docgen.bind.binder")
