"""Salesforce Case/CaseComment records: read mappers and create bodies."""

from domain.support.providers.salesforce.mapper import (
    case_comment_to_salesforce,
    case_comments_from_salesforce,
    case_detail_from_salesforce,
    case_from_salesforce_record,
    case_to_salesforce,
    cases_from_salesforce,
)
from domain.support.providers.salesforce.raw import (
    SfCase,
    SfCaseComment,
    SfCaseCommentCreate,
    SfCaseCreate,
)
from domain.support.providers.salesforce.statuses import (
    CASE_CATEGORIES,
    CASE_PRIORITIES,
    CASE_STATUSES,
)

__all__ = [
    "CASE_CATEGORIES",
    "CASE_PRIORITIES",
    "CASE_STATUSES",
    "SfCase",
    "SfCaseComment",
    "SfCaseCommentCreate",
    "SfCaseCreate",
    "case_comment_to_salesforce",
    "case_comments_from_salesforce",
    "case_detail_from_salesforce",
    "case_from_salesforce_record",
    "case_to_salesforce",
    "cases_from_salesforce",
]
