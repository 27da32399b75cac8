"""The domain package is pure: nothing of ours above it, no web framework, no I/O library."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[3] / "src" / "domain"
FORBIDDEN = (
    "bff",
    "integrations",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "httpx",
    "redis",
    "structlog",
)


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return modules


DOMAIN_FILES = sorted(DOMAIN.rglob("*.py"))


def test_domain_has_modules() -> None:
    assert len(DOMAIN_FILES) > 30


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_nothing_forbidden(path: Path) -> None:
    offending = [module for module in _imported_modules(path) if module.split(".")[0] in FORBIDDEN]
    assert offending == []


def test_the_check_itself_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import httpx\nfrom bff.app import create_app\nfrom fastapi import FastAPI\n")
    assert [m.split(".")[0] for m in _imported_modules(bad)] == ["httpx", "bff", "fastapi"]
