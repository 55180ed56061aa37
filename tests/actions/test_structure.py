"""The actions package: action modules hold Action classes and import only from
actions.common and bot/, never from each other (issue 13 found an import cycle
through private helpers); actions.common holds no Action classes."""

import ast
import importlib
import inspect
from pathlib import Path

from rasa_sdk import Action

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):  # also imports inside functions
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_action_modules_do_not_import_each_other():
    action_modules = {f"actions.{p.stem}" for p in ACTIONS.glob("*.py") if p.stem != "__init__"}
    assert action_modules, "no action modules found"
    for path in ACTIONS.glob("*.py"):
        imported = {m for m in _imported_modules(path) if m.startswith("actions")}
        assert not imported & action_modules, f"{path.name} imports {sorted(imported & action_modules)}"
        assert all(m == "actions.common" or m.startswith("actions.common.") for m in imported), (path.name, imported)


def test_common_helpers_hold_no_actions_and_import_no_action_module():
    for path in (ACTIONS / "common").glob("*.py"):
        module = importlib.import_module(f"actions.common.{path.stem}" if path.stem != "__init__" else "actions.common")
        actions = [
            name for name, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, Action) and obj.__module__ == module.__name__
        ]
        assert not actions, f"{path.name} defines actions {actions}"
        imported = {m for m in _imported_modules(path) if m.startswith("actions")}
        assert all(m.startswith("actions.common") for m in imported), (path.name, imported)
