"""argon2id hashing off the event loop, and the password policy.

Hashing costs ~20-25 ms of CPU at OWASP's minimum (m=19 MiB, t=2, p=1). It runs in a
small dedicated thread pool (argon2-cffi releases the GIL), sized to leave one core to
the event loop and run at a lower OS priority (Linux threads can be niced one by one), so
a burst of logins queues up behind each other instead of stalling every other request.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import os
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from bff.settings import AuthSettings

MIN_LENGTH = 12
HASHING_NICENESS = 10
MAX_LENGTH = 256
_COMMON_PASSWORDS_FILE = "common_passwords.txt"

_T = TypeVar("_T")
_executor: ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    """Run hashing threads niced, so the event loop wins when both want a core."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


def _hashing_executor() -> ThreadPoolExecutor:
    global _executor  # noqa: PLW0603 - one pool per process, created on first use
    if _executor is None:
        workers = max(1, (os.cpu_count() or 2) - 1)
        _executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="argon2", initializer=_lower_priority
        )
    return _executor


class Passwords:
    """Hash, verify and rehash with the configured argon2id parameters."""

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._dummy_hash: str | None = None

    async def _run(self, fn: functools.partial[_T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(_hashing_executor(), fn)

    async def hash(self, password: str) -> str:
        return await self._run(functools.partial(self._hasher.hash, password))

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(functools.partial(self._verify_sync, password_hash, password))

    async def verify_unknown(self, password: str) -> None:
        """Spend what a real verification spends, for an email that has no account."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash("dummy password for unknown accounts")
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def _verify_sync(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased (one per line, `#` comments)."""
    text = resources.files("bff.auth").joinpath(_COMMON_PASSWORDS_FILE).read_text("utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _core(password: str) -> str:
    """`Password2024!` -> `password`: what is left without case, trailing digits/symbols."""
    folded = password.casefold()
    return folded.rstrip("0123456789!@#$%^&*()-_=+.?~ ").lstrip("0123456789!@#$%^&*()-_=+.?~ ")


def _is_digit_run(text: str) -> bool:
    """`123456789012`, `987654321098`, `111111111111`: one constant step between digits."""
    if not text.isdigit():
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(text)}
    return len(steps) == 1


def password_problems(password: str, *, email: str) -> list[str]:
    """Why a new password is refused; empty when it is acceptable."""
    normalized = unicodedata.normalize("NFKC", password)
    if len(normalized) < MIN_LENGTH:
        return [f"must be at least {MIN_LENGTH} characters"]
    if len(normalized) > MAX_LENGTH:
        return [f"must be at most {MAX_LENGTH} characters"]
    folded = normalized.casefold()
    local_part = email.casefold().split("@", 1)[0]
    if folded == email.casefold() or folded == local_part or _core(normalized) == local_part:
        return ["must not be your email address"]
    common = common_passwords()
    core = _core(normalized)
    if folded in common or core in common or len(set(folded)) < 4 or _is_digit_run(folded):
        return ["is too common; choose a less predictable password"]
    return []
