"""Support cases and their public comments."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.common.dates import UtcDatetime
from domain.common.model import ContractModel


class CaseStatus(StrEnum):
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
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


class CaseCategory(StrEnum):
    BILLING = "billing"
    TECHNICAL = "technical"
    SIM = "sim"
    ORDER = "order"
    ACCOUNT = "account"
    OTHER = "other"


class CommentAuthor(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"


class CaseComment(ContractModel):
    id: str
    body: str
    author: CommentAuthor
    created_at: UtcDatetime


class Case(ContractModel):
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
    comments: tuple[CaseComment, ...] = ()


class NewCase(ContractModel):
    """The body of ``POST /api/support/cases``."""

    subject: Annotated[str, Field(min_length=1, max_length=255)]
    description: Annotated[str, Field(min_length=1, max_length=32_000)]
    category: CaseCategory
    priority: CasePriority = CasePriority.MEDIUM


class NewCaseComment(ContractModel):
    body: Annotated[str, Field(min_length=1, max_length=4_000)]
