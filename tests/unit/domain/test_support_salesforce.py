"""Salesforce Case / CaseComment <-> support."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.common import ProviderPayloadError
from domain.support import (
    CaseCategory,
    CasePriority,
    CaseStatus,
    CommentAuthor,
    NewCase,
    NewCaseComment,
)
from domain.support.providers.salesforce import (
    case_comment_to_salesforce,
    case_comments_from_salesforce,
    case_detail_from_salesforce,
    case_to_salesforce,
    cases_from_salesforce,
)

Payload = Callable[[str, str], Any]
PORTAL_USER = {"005RO00000PORTAL"}


def test_cases_map_statuses_including_custom_closed_and_unknown(payload: Payload) -> None:
    new, working, resolved, odd = cases_from_salesforce(payload("salesforce", "cases"))
    assert (new.status, new.category, new.priority) == (
        CaseStatus.NEW,
        CaseCategory.SIM,
        CasePriority.HIGH,
    )
    assert working.status is CaseStatus.IN_PROGRESS and working.description == ""
    assert resolved.status is CaseStatus.CLOSED and not resolved.is_open
    assert resolved.category is CaseCategory.OTHER  # "Problem" is not one of our types
    assert (odd.status, odd.priority, odd.category) == (
        CaseStatus.UNKNOWN,
        CasePriority.UNKNOWN,
        CaseCategory.OTHER,
    )
    assert odd.is_open and odd.updated_at == odd.created_at
    assert new.model_dump(mode="json") == {
        "id": "500RO0000001AAAYA2",
        "caseNumber": "00001001",
        "subject": "SIMが届きません",
        "description": "注文から1週間経ちました。",
        "category": "sim",
        "status": "new",
        "priority": "high",
        "createdAt": "2026-11-20T01:00:00Z",
        "updatedAt": "2026-11-20T01:00:00Z",
    }


def test_detail_has_only_published_comments_oldest_first(payload: Payload) -> None:
    case = payload("salesforce", "cases")["records"][0]
    detail = case_detail_from_salesforce(
        case, payload("salesforce", "case_comments"), customer_author_ids=PORTAL_USER
    )
    assert [(c.id, c.author) for c in detail.comments] == [
        ("00aRO0000000001YAA", CommentAuthor.CUSTOMER),
        ("00aRO0000000002YAA", CommentAuthor.AGENT),
    ]
    assert detail.model_dump(mode="json")["comments"][0] == {
        "id": "00aRO0000000001YAA",
        "body": "追跡番号を教えてください。",
        "author": "customer",
        "createdAt": "2026-11-20T02:00:00Z",
    }
    assert case_comments_from_salesforce([], customer_author_ids=PORTAL_USER) == ()


def test_case_without_created_date_is_a_payload_error() -> None:
    with pytest.raises(ProviderPayloadError, match=r"\[0\]\.CreatedDate"):
        cases_from_salesforce({"records": [{"Id": "500X", "Status": "New"}]})


def test_new_case_and_comment_bodies() -> None:
    body = case_to_salesforce(
        NewCase(subject="No signal", description="Since Monday", category=CaseCategory.TECHNICAL),
        account_id="001A",
        contact_id="003C",
    ).as_json()
    assert body == {
        "attributes": {"type": "Case"},
        "Subject": "No signal",
        "Description": "Since Monday",
        "Type": "Technical",
        "Priority": "Medium",
        "Status": "New",
        "Origin": "Web",
        "AccountId": "001A",
        "ContactId": "003C",
    }
    assert case_comment_to_salesforce(NewCaseComment(body="Thanks"), case_id="500X").as_json() == {
        "attributes": {"type": "CaseComment"},
        "ParentId": "500X",
        "CommentBody": "Thanks",
        "IsPublished": True,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "", "description": "x", "category": "sim"},
        {"subject": "x", "description": "x", "category": "gossip"},
        {"subject": "x", "description": "x", "category": "sim", "priority": "unknown-ish"},
    ],
)
def test_new_case_validation(body: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        NewCase.model_validate(body)


texts = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=60).filter(
    str.strip
)


@given(
    subject=texts,
    description=texts,
    category=st.sampled_from(list(CaseCategory)),
    priority=st.sampled_from([CasePriority.HIGH, CasePriority.MEDIUM, CasePriority.LOW]),
)
def test_case_round_trip(
    subject: str, description: str, category: CaseCategory, priority: CasePriority
) -> None:
    new = NewCase(subject=subject, description=description, category=category, priority=priority)
    written = case_to_salesforce(new, account_id="001A").as_json()
    record = {
        **written,
        "Id": "500X",
        "CaseNumber": "00000001",
        "IsClosed": False,
        "CreatedDate": "2026-11-23T00:00:00.000+0000",
    }
    (case,) = cases_from_salesforce([record])
    assert (case.subject, case.description, case.category, case.priority, case.status) == (
        subject,
        description,
        category,
        priority,
        CaseStatus.NEW,
    )
    assert case.created_at == datetime(2026, 11, 23, tzinfo=UTC)
