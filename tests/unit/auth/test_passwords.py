"""Password policy and argon2id hashing off the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from bff.auth.passwords import Passwords, common_passwords, password_problems
from bff.settings import AuthSettings

EMAIL = "hanako.suzuki@example.jp"


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "elevenchars",
        "password1234",
        "Password2024!",
        "123456789012",
        "qwertyuiop123",
        "aaaaaaaaaaaaaaaa",
        EMAIL,
        EMAIL.upper(),
        "hanako.suzuki",
        "hanako.suzuki2026",
        "iloveyou1234",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    assert password_problems(password, email=EMAIL)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "Tsukimi-Dango-Ame-42", "ねこがすきなひとのパスワード"],
)
def test_reasonable_passwords_pass(password: str) -> None:
    assert password_problems(password, email=EMAIL) == []


def test_the_shipped_list_is_substantial() -> None:
    common = common_passwords()
    assert len(common) >= 10_000
    assert {"password", "123456", "qwerty", "iloveyou"} <= common


async def test_hash_verify_and_rehash() -> None:
    cheap = Passwords(AuthSettings(argon2_time_cost=1, argon2_memory_kib=8 * 1024))
    owasp = Passwords(AuthSettings())
    hashed = await cheap.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert await cheap.verify(hashed, "correct horse battery staple")
    assert not await cheap.verify(hashed, "wrong")
    assert not await cheap.verify("not-a-hash", "wrong")
    assert owasp.needs_rehash(hashed)
    assert not owasp.needs_rehash(await owasp.hash("x"))
    assert "m=19456,t=2,p=1" in await owasp.hash("x")


async def test_hashing_does_not_block_the_event_loop() -> None:
    passwords = Passwords(AuthSettings())
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(passwords.hash("correct horse battery staple") for _ in range(8)))
    elapsed = time.perf_counter() - started
    stop = True
    await task
    # A blocked loop would tick about once per hash (8); a free one about once per
    # millisecond. The margin leaves room for a busy CI machine.
    assert ticks > max(40, elapsed * 1000 * 0.1), (ticks, elapsed)
