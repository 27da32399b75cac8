"""The app the peer benchmark serves: the real app plus bench-only routes.

``bff serve --factory peer_app:create`` with ``bench`` on ``PYTHONPATH``:

- ``GET /bench/bare/{name}``: the bytes of ``$BFF_BENCH_BARE_DIR/<name>.json`` from
  memory (read once), through the same middleware as every route, with no other work: the
  floor our routes are compared with;
- ``GET /bench/slow?ms=N``: answers after N ms (graceful-shutdown check).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Response

from bff.app import create_app


def create() -> FastAPI:
    app = create_app()
    folder = Path(os.environ.get("BFF_BENCH_BARE_DIR", "var/peer-bench"))
    loaded: dict[str, bytes] = {}
    probe = APIRouter(prefix="/bench", include_in_schema=False)

    @probe.get("/bare/{name}")
    async def bare(name: str) -> Response:
        body = loaded.get(name)
        if body is None:
            path = folder / f"{name}.json"
            if not name.isalnum() or not path.is_file():
                raise HTTPException(404)
            body = loaded[name] = path.read_bytes()
        return Response(body, media_type="application/json")

    @probe.get("/slow")
    async def slow(ms: int = 1000) -> dict[str, int]:
        await asyncio.sleep(ms / 1000)
        return {"sleptMs": ms}

    app.include_router(probe)
    return app
