from __future__ import annotations

from bff.core.errors import NotFound


class CaseNotFound(NotFound):
    code = "support.case_not_found"
    default_detail = "No such support case."
