"""Salesforce Case and CaseComment records (read) and their create bodies (write).

``Case.Type`` holds the portal category (picklist values in ``statuses.CASE_CATEGORIES``).
"""

from domain.common.wire.lenient import Flag, OptionalText, Text
from domain.common.wire.salesforce import SalesforceDatetime, SfWrite, SObject


class SfCase(SObject):
    Id: Text
    CaseNumber: OptionalText = None
    Subject: OptionalText = None
    Description: OptionalText = None
    Type: OptionalText = None
    Status: OptionalText = None
    Priority: OptionalText = None
    IsClosed: Flag = False
    AccountId: OptionalText = None
    ContactId: OptionalText = None
    CreatedDate: SalesforceDatetime
    LastModifiedDate: SalesforceDatetime | None = None


class SfCaseComment(SObject):
    Id: Text
    ParentId: OptionalText = None
    CommentBody: OptionalText = None
    IsPublished: Flag = False
    CreatedById: OptionalText = None
    CreatedDate: SalesforceDatetime


class SfCaseCreate(SfWrite):
    sobject_type = "Case"

    Subject: str
    Description: str
    Type: str
    Priority: str
    Status: str
    Origin: str
    AccountId: str
    ContactId: str | None = None


class SfCaseCommentCreate(SfWrite):
    sobject_type = "CaseComment"

    ParentId: str
    CommentBody: str
    # Published comments are the ones the customer sees.
    IsPublished: bool = True
