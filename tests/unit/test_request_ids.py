"""Request ids: the client's when well formed, else generated, unique across processes."""

from __future__ import annotations

import os
import re

import pytest

from bff.core.request_context import accept_or_generate

GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize("sent", [None, "", "short", "bad id with spaces", "x" * 200, "é-0123456"])
def test_malformed_or_missing_ids_are_replaced(sent: str | None) -> None:
    assert GENERATED.match(accept_or_generate(sent))


def test_well_formed_client_ids_are_kept() -> None:
    assert accept_or_generate("trace-0123:abc.def") == "trace-0123:abc.def"


def test_generated_ids_are_unique_and_differ_in_a_forked_child() -> None:
    ours = {accept_or_generate(None) for _ in range(10_000)}
    assert len(ours) == 10_000
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.write(write, accept_or_generate(None).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    theirs = os.read(read, 64).decode()
    os.close(read)
    assert GENERATED.match(theirs)
    assert theirs[:16] not in {id_[:16] for id_ in ours}  # a new process prefix
