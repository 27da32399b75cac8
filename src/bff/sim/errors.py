from __future__ import annotations

from bff.core.errors import Conflict, Unprocessable


class NotASim(Conflict):
    code = "sim.not_a_sim"
    default_detail = "This subscription is not a SIM line."


class NotAnEsim(Conflict):
    code = "sim.not_an_esim"
    default_detail = "Only an eSIM can be reissued."


class SimStateConflict(Conflict):
    code = "sim.invalid_state"
    default_detail = "The SIM line is not in a state that allows this."


class PlanUnchanged(Conflict):
    code = "sim.plan_unchanged"
    default_detail = "The line already has this plan and no other change is pending."


class PlanNotAllowed(Unprocessable):
    code = "sim.plan_not_allowed"
    default_detail = "This plan is not available for this SIM."


class TopUpSizeNotAllowed(Unprocessable):
    code = "sim.top_up_size_not_allowed"
    default_detail = "This top-up size is not offered for the line's plan."
