"""support <-> Salesforce: Case and CaseComment rows to Case / CaseDetail / CaseComment;
a new case and a new comment to their create bodies.

Only published comments (``IsPublished``) reach the customer. A comment is the
customer's when the portal's integration user wrote it (the portal posts on their
behalf), an agent's otherwise.
"""

from collections.abc import Collection
from typing import Any

from pydantic import TypeAdapter

from domain.common.wire.salesforce import PROVIDER, query_records
from domain.common.wire.validation import maps_payload, parse_payload
from domain.support.contract import (
    Case,
    CaseComment,
    CaseDetail,
    CaseStatus,
    CommentAuthor,
    NewCase,
    NewCaseComment,
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
    NEW_CASE_STATUS,
    PORTAL_ORIGIN,
)

_CASE_ROWS = TypeAdapter(list[SfCase])
_COMMENT_ROWS = TypeAdapter(list[SfCaseComment])


@maps_payload(PROVIDER, "Case")
def case_from_salesforce_record(raw: SfCase) -> Case:
    status = CASE_STATUSES.lookup(raw.Status)
    # Orgs add their own closed statuses (e.g. "Resolved"); IsClosed is authoritative.
    if raw.IsClosed:
        status = CaseStatus.CLOSED
    return Case(
        id=raw.Id,
        case_number=raw.CaseNumber or raw.Id,
        subject=raw.Subject or "",
        description=raw.Description or "",
        category=CASE_CATEGORIES.lookup(raw.Type),
        status=status,
        priority=CASE_PRIORITIES.lookup(raw.Priority),
        created_at=raw.CreatedDate,
        updated_at=raw.LastModifiedDate or raw.CreatedDate,
    )


@maps_payload(PROVIDER, "Case")
def cases_from_salesforce(payload: Any) -> tuple[Case, ...]:
    rows = parse_payload(_CASE_ROWS, query_records(payload), provider=PROVIDER, entity="Case")
    return tuple(case_from_salesforce_record(row) for row in rows)


@maps_payload(PROVIDER, "CaseComment")
def case_comments_from_salesforce(
    payload: Any, *, customer_author_ids: Collection[str]
) -> tuple[CaseComment, ...]:
    """Published comments, oldest first."""
    rows = parse_payload(
        _COMMENT_ROWS, query_records(payload), provider=PROVIDER, entity="CaseComment"
    )
    comments = (
        CaseComment(
            id=row.Id,
            body=row.CommentBody or "",
            author=CommentAuthor.CUSTOMER
            if row.CreatedById in customer_author_ids
            else CommentAuthor.AGENT,
            created_at=row.CreatedDate,
        )
        for row in rows
        if row.IsPublished
    )
    return tuple(sorted(comments, key=lambda comment: comment.created_at))


@maps_payload(PROVIDER, "Case")
def case_detail_from_salesforce(
    case_payload: Any, comments_payload: Any, *, customer_author_ids: Collection[str]
) -> CaseDetail:
    raw = parse_payload(SfCase, case_payload, provider=PROVIDER, entity="Case")
    case = case_from_salesforce_record(raw)
    comments = case_comments_from_salesforce(
        comments_payload, customer_author_ids=customer_author_ids
    )
    return CaseDetail(**case.model_dump(by_alias=False), comments=comments)


def case_to_salesforce(
    case: NewCase, *, account_id: str, contact_id: str | None = None
) -> SfCaseCreate:
    return SfCaseCreate(
        Subject=case.subject,
        Description=case.description,
        Type=CASE_CATEGORIES.reverse(case.category),
        Priority=CASE_PRIORITIES.reverse(case.priority),
        Status=NEW_CASE_STATUS,
        Origin=PORTAL_ORIGIN,
        AccountId=account_id,
        ContactId=contact_id,
    )


def case_comment_to_salesforce(comment: NewCaseComment, *, case_id: str) -> SfCaseCommentCreate:
    return SfCaseCommentCreate(ParentId=case_id, CommentBody=comment.body)
