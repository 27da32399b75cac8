"""Salesforce Case picklists (org defaults + our Type values) as data."""

from domain.common.status import StatusTable
from domain.common.wire.salesforce import PROVIDER
from domain.support.contract import CaseCategory, CasePriority, CaseStatus

CASE_STATUSES = StatusTable(
    provider=PROVIDER,
    entity="Case.Status",
    mapping={
        "New": CaseStatus.NEW,
        "Working": CaseStatus.IN_PROGRESS,
        "Escalated": CaseStatus.ESCALATED,
        "Closed": CaseStatus.CLOSED,
    },
    fallback=CaseStatus.UNKNOWN,
)

CASE_PRIORITIES = StatusTable(
    provider=PROVIDER,
    entity="Case.Priority",
    mapping={"High": CasePriority.HIGH, "Medium": CasePriority.MEDIUM, "Low": CasePriority.LOW},
    fallback=CasePriority.UNKNOWN,
)

CASE_CATEGORIES = StatusTable(
    provider=PROVIDER,
    entity="Case.Type",
    mapping={
        "Billing": CaseCategory.BILLING,
        "Technical": CaseCategory.TECHNICAL,
        "SIM": CaseCategory.SIM,
        "Order": CaseCategory.ORDER,
        "Account": CaseCategory.ACCOUNT,
        "Other": CaseCategory.OTHER,
    },
    # A case an agent filed under a type we do not offer is still a case: show "other".
    fallback=CaseCategory.OTHER,
)

NEW_CASE_STATUS = "New"
PORTAL_ORIGIN = "Web"
