"""Portal logins and their links to the billing (WHMCS) and CRM (Salesforce) accounts.

Profile data (name, phone, address) is owned by WHMCS; the portal keeps only what it
needs to authenticate and to scope every call to the caller's own accounts.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from bff.core.db import Base, UtcDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    whmcs_client_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    salesforce_account_id: Mapped[str | None] = mapped_column(String(18), unique=True)
    salesforce_contact_id: Mapped[str | None] = mapped_column(String(18), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
