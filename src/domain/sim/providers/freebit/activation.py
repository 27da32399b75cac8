"""sim <-> Freebit for opening new lines (provisioning).

Which call opens a new line (team proposal, reference/freebit.md):

- a physical SIM: PA05-33 OTA activation, ``mvno/ota/addAcnt/`` with ``addKind`` ``"N"``;
- an eSIM: PA05-41, ``mvno/esim/addAcnt/`` with ``addKind`` ``"N"``. Its answer carries an
  ``activationCode`` (the profile download credential).

Both are asynchronous on Freebit's side: the answer names the line (``account`` =
MSISDN, ``iccid``, ``productNumber``) at once and the line turns active later. Each
request carries ``orderRef`` ✱, our deterministic key for the order line, and the
account detail call accepts ``{"orderRef": ...}`` ✱ in ``requestDatas`` (like
``{"iccid": ...}``), so a rerun can find a line it opened before it crashed.
"""

from typing import Any

from domain.common.wire.freebit import PROVIDER, FreebitResponse
from domain.common.wire.lenient import OptionalText
from domain.common.wire.validation import maps_payload, parse_payload
from domain.sim.contract import ActivatedLine, NewLine, SimType
from domain.sim.providers.freebit.raw import FreebitAccountDetailResponse
from domain.sim.providers.freebit.requests import LINE_KIND
from domain.sim.providers.freebit.statuses import SIM_TYPES

NEW_LINE = "N"
NOT_ALADIN_OPERATED = "20"
CONTRACT_LINE = "5G"


class FreebitAddAcntResponse(FreebitResponse):
    account: OptionalText = None
    iccid: OptionalText = None
    product_number: OptionalText = None
    activation_code: OptionalText = None


def line_activation_request(line: NewLine) -> dict[str, Any]:
    return {
        "addKind": NEW_LINE,
        "aladinOperated": NOT_ALADIN_OPERATED,
        "planCode": line.plan_code,
        "contractLine": CONTRACT_LINE,
        "orderRef": line.line_key,
    }


def line_lookup_request(line_key: str) -> dict[str, Any]:
    return {"version": "2", "requestDatas": [{"kind": LINE_KIND, "orderRef": line_key}]}


@maps_payload(PROVIDER, "addAcnt")
def activated_line_from_freebit(payload: Any, *, sim_type: SimType) -> ActivatedLine:
    raw = parse_payload(FreebitAddAcntResponse, payload, provider=PROVIDER, entity="addAcnt")
    return ActivatedLine(
        msisdn=raw.account or "",
        iccid=raw.iccid or "",
        sim_type=sim_type,
        activation_code=raw.activation_code if sim_type is SimType.ESIM else None,
    )


@maps_payload(PROVIDER, "account")
def found_line_from_freebit(payload: Any) -> ActivatedLine | None:
    """The line an ``orderRef`` lookup found (its first ``responseDatas`` entry)."""
    raw = parse_payload(FreebitAccountDetailResponse, payload, provider=PROVIDER, entity="account")
    if not raw.response_datas:
        return None
    line = raw.response_datas[0]
    return ActivatedLine(
        msisdn=line.account or "",
        iccid=line.iccid or "",
        sim_type=SIM_TYPES.lookup(line.sim_type),
    )
