"""Messages waiting to leave the process (e-mails), written in the request's transaction.

A sender drains the table outside any request (see :mod:`bff.outbox.sender`), so a
request never waits on, or fails because of, a mail server. ``payload`` can hold a
secret link (password reset); it is emptied once the message is sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from bff.core.db import Base, UtcDateTime, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_sent_at_created_at", "sent_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    topic: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
