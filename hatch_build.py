"""Hatch build hook: compile the Salesforce Pub/Sub proto into Python modules.

The proto (``src/integrations/salesforce/pubsub/pubsub_api.proto``) is the source of
truth; the ``_pb2``/``_pb2_grpc`` modules and their ``.pyi`` stubs (mypy-protobuf) are
generated next to it on every wheel build, editable installs included, and are
git-ignored. ``grpcio-tools`` and ``mypy-protobuf`` come from ``build-system.requires``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

PROTO = Path("integrations/salesforce/pubsub/pubsub_api.proto")
SOURCE_ROOT = "src"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi")


def _plugin(name: str) -> str:
    # The build environment's scripts sit next to its interpreter; PATH is the fallback.
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: add mypy-protobuf to build-system.requires")
    return found


def generated_files(root: Path) -> list[Path]:
    stem = root / SOURCE_ROOT / PROTO.with_suffix("")
    return [stem.with_name(stem.name + suffix) for suffix in GENERATED_SUFFIXES]


def compile_proto(root: Path) -> list[Path]:
    from grpc_tools import protoc

    source_root = root / SOURCE_ROOT
    include = Path(protoc.__file__).parent / "_proto"  # google/protobuf well-known types
    args = [
        "grpc_tools.protoc",
        f"-I{source_root}",
        f"-I{include}",
        f"--python_out={source_root}",
        f"--grpc_python_out={source_root}",
        f"--plugin=protoc-gen-mypy={_plugin('protoc-gen-mypy')}",
        f"--plugin=protoc-gen-mypy_grpc={_plugin('protoc-gen-mypy_grpc')}",
        f"--mypy_out={source_root}",
        f"--mypy_grpc_out={source_root}",
        str(source_root / PROTO),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed on {PROTO}")
    return generated_files(root)


if __name__ == "__main__":  # `python hatch_build.py`: regenerate in a dev checkout
    for generated in compile_proto(Path(__file__).parent):
        print(generated)
else:  # imported by hatchling, which is only installed in the build environment
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface

    class ProtoBuildHook(BuildHookInterface):  # type: ignore[type-arg]
        PLUGIN_NAME = "custom"

        def initialize(self, version: str, build_data: dict[str, Any]) -> None:
            if self.target_name != "wheel":
                return  # the sdist ships the proto; its wheel build compiles it
            root = Path(self.root)
            files = compile_proto(root)
            if version != "editable":
                # Generated files are git-ignored, which hatch would otherwise leave out.
                for path in files:
                    relative = path.relative_to(root / SOURCE_ROOT)
                    build_data["force_include"][str(path)] = str(relative)
