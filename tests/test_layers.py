"""The house rules of DESIGN.md: layers and areas (import-linter), no cycles, small folders, docstrings."""

from __future__ import annotations

import ast
from pathlib import Path


PACKAGE = Path(__file__).resolve().parents[1] / "placedesk"

def test_import_contracts_hold() -> None:
    """The layers, the no-Qt-below-the-UI rule and the direction between areas (pyproject.toml)."""
    from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

    status = lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS, "an import breaks a contract: run lint-imports to see which"


def test_no_module_imports_itself_back() -> None:
    """No import cycles between modules of placedesk/, function-level imports included."""
    import grimp

    graph = grimp.build_graph("placedesk")
    cycles = [
        (module, imported)
        for module in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(module))
        if module != imported and graph.chain_exists(importer=imported, imported=module)
    ]
    assert cycles == []


def test_no_folder_is_a_crowd() -> None:
    """Each package reads as one area: about fifteen modules at most, so a newcomer finds things."""
    crowded = {
        str(folder.relative_to(PACKAGE)): count
        for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir() and p.name != "__pycache__")]
        if (count := len([m for m in folder.glob("*.py") if m.name != "__init__.py"])) > 16
        and "versions" not in folder.parts
    }
    assert crowded == {}


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "versions" not in path.parts and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []
