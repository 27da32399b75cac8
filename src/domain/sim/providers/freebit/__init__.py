"""Freebit SIM payloads, request bodies and mappers (team sandbox proposal)."""

from domain.sim.providers.freebit.mapper import (
    current_traffic_from_freebit,
    esim_reissue_from_freebit,
    plan_change_from_freebit,
    sim_details_from_freebit,
    sim_usage_from_freebit,
    top_up_from_freebit,
)
from domain.sim.providers.freebit.raw import (
    FreebitAccountDetail,
    FreebitAccountDetailResponse,
    FreebitAddSpecResponse,
    FreebitChangePlanResponse,
    FreebitDailyTraffic,
    FreebitEsimResponse,
    FreebitMonthlyTraffic,
    FreebitQuota,
    FreebitTalkOption,
    FreebitTraffic,
    FreebitTrafficHistoryResponse,
    FreebitTrafficResponse,
)
from domain.sim.providers.freebit.requests import (
    account_detail_request,
    esim_reissue_request,
    plan_change_request,
    state_change_request,
    top_up_request,
    traffic_history_request,
    traffic_request,
)
from domain.sim.providers.freebit.statuses import LINE_STATES, SIM_TYPES

__all__ = [
    "LINE_STATES",
    "SIM_TYPES",
    "FreebitAccountDetail",
    "FreebitAccountDetailResponse",
    "FreebitAddSpecResponse",
    "FreebitChangePlanResponse",
    "FreebitDailyTraffic",
    "FreebitEsimResponse",
    "FreebitMonthlyTraffic",
    "FreebitQuota",
    "FreebitTalkOption",
    "FreebitTraffic",
    "FreebitTrafficHistoryResponse",
    "FreebitTrafficResponse",
    "account_detail_request",
    "current_traffic_from_freebit",
    "esim_reissue_from_freebit",
    "esim_reissue_request",
    "plan_change_from_freebit",
    "plan_change_request",
    "sim_details_from_freebit",
    "sim_usage_from_freebit",
    "state_change_request",
    "top_up_from_freebit",
    "top_up_request",
    "traffic_history_request",
    "traffic_request",
]
