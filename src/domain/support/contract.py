"""Support cases and their public comments."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from domain.common.dates import UtcDatetime
from domain.common.model import ContractModel


class CaseStatus(StrEnum):
    """Where a support case stands."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class CaseStatusFilter(StrEnum):
    """The list filter: ``open`` is every status but ``closed``."""

    OPEN = "open"
    CLOSED = "closed"


class CasePriority(StrEnum):
    """How urgent a case is; `unknown` for a value Salesforce holds that the portal does not
    know."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


class CaseCategory(StrEnum):
    """What a support case is about."""

    BILLING = "billing"
    TECHNICAL = "technical"
    SIM = "sim"
    ORDER = "order"
    ACCOUNT = "account"
    OTHER = "other"


class CommentAuthor(StrEnum):
    """Who wrote a case comment."""

    CUSTOMER = "customer"
    AGENT = "agent"


class CaseComment(ContractModel):
    """A public comment on a support case, by the customer or an agent."""

    id: str
    body: str
    author: CommentAuthor
    created_at: UtcDatetime


class Case(ContractModel):
    """A support case on the caller's account (Salesforce Case)."""

    id: str
    case_number: str
    subject: str
    description: str
    category: CaseCategory
    status: CaseStatus
    priority: CasePriority
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def is_open(self) -> bool:
        return self.status is not CaseStatus.CLOSED


class CaseDetail(Case):
    """A support case with its public comments, oldest first."""

    comments: tuple[CaseComment, ...] = ()


class NewCase(ContractModel):
    """The body of ``POST /api/support/cases``."""

    subject: Annotated[str, Field(min_length=1, max_length=255)]
    description: Annotated[str, Field(min_length=1, max_length=32_000)]
    category: CaseCategory
    # `unknown` only describes what Salesforce holds; a new case names a real priority.
    priority: Literal[CasePriority.HIGH, CasePriority.MEDIUM, CasePriority.LOW] = (
        CasePriority.MEDIUM
    )


class NewCaseComment(ContractModel):
    """The body of a new public comment."""

    body: Annotated[str, Field(min_length=1, max_length=4_000)]
