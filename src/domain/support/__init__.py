"""Support context: cases and their public comments."""

from domain.support.contract import (
    Case,
    CaseCategory,
    CaseComment,
    CaseDetail,
    CasePriority,
    CaseStatus,
    CaseStatusFilter,
    CommentAuthor,
    NewCase,
    NewCaseComment,
)

__all__ = [
    "Case",
    "CaseCategory",
    "CaseComment",
    "CaseDetail",
    "CasePriority",
    "CaseStatus",
    "CaseStatusFilter",
    "CommentAuthor",
    "NewCase",
    "NewCaseComment",
]
