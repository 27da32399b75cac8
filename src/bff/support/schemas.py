"""HTTP shapes of support cases."""

from __future__ import annotations

from domain.common.page import Page
from domain.support.contract import (
    Case,
    CaseComment,
    CaseDetail,
    CaseStatusFilter,
    NewCase,
    NewCaseComment,
)


class CasePage(Page[Case]):
    """A page of the caller's cases, newest first."""


__all__ = [
    "Case",
    "CaseComment",
    "CaseDetail",
    "CasePage",
    "CaseStatusFilter",
    "NewCase",
    "NewCaseComment",
]
