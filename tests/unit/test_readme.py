"""The README documents every setting, so a new knob cannot ship undocumented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from bff.settings import Settings, UpstreamSettings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SHARED_UPSTREAM_FIELDS = set(UpstreamSettings.model_fields)


def documented_names(model: type[BaseModel], prefix: str = "BFF_") -> Iterator[str]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from documented_names(annotation, f"{prefix}{name.upper()}__")
        elif issubclass(model, UpstreamSettings) and name in SHARED_UPSTREAM_FIELDS:
            yield f"BFF_<SYSTEM>__{name.upper()}"
        else:
            yield f"{prefix}{name.upper()}"


def test_every_setting_is_in_the_readme() -> None:
    missing = sorted({name for name in documented_names(Settings) if f"`{name}`" not in README})
    assert not missing, f"document these settings in README.md: {missing}"


def test_quick_start_has_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make dev" in quick_start
    assert "make test" in quick_start
