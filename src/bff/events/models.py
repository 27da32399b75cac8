"""``event_cursors``: the last replay id the consumer handled, per topic."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from bff.core.db import Base, UtcDateTime


class EventCursor(Base):
    __tablename__ = "event_cursors"

    topic: Mapped[str] = mapped_column(String(255), primary_key=True)
    # Replay ids are opaque bytes; stored as hex so every backend and a human can read them.
    replay_id: Mapped[str] = mapped_column(String(256))
    # Fencing token of the lease holder that wrote it: an older holder can never overwrite.
    fence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
