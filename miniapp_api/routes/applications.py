"""The citizen's applications: file, list, read, supplement, withdraw."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.cases import agents, citizen_actions
from core.cases.queries import citizen_case, citizen_cases
from core.cases.submission import submit
from core.cases.views import summary
from core.details.citizen import citizen_detail
from core.paging import paged
from miniapp_api import schemas as s
from miniapp_api.body import FILING_CODES, FILING_ERRORS, paging, parsed
from miniapp_api.context import app_context, bearer_token, current_citizen, services
from miniapp_api.docs import documented

ADDRESS_SHAPE = {name: str for name in ("name", "phone", "province", "city", "district", "detail")}
bp = Blueprint("applications", url_prefix="/api/v1/applications")


async def _detail(request: Request, number: str) -> HTTPResponse:
    svc = services(request)
    return json(await citizen_detail(svc.cases, svc.sessions, bearer_token(request), number))


@bp.post("")
@openapi.body(
    {
        "application/json": {
            "item_code": str,
            "form": {},
            "materials": [{"name": str, "file_id": str}],
            "delivery": {"method": str, "address": ADDRESS_SHAPE},
            "on_behalf_of": str,
        }
    }
)
@openapi.summary("File an application (materials uploaded first)")
@openapi.description(
    "Body as in the contract: `{item_code, form, materials: [{name, file_id}], delivery: "
    "{method, address}}`, plus optional `on_behalf_of` (a citizen id): an agent (代办) files "
    "for the citizen who authorised them for this item (`POST /api/v1/agent-authorizations`); "
    "the case is that citizen's. A material with a `license_type` that the citizen holds as "
    "an electronic licence may be left out: it is filled from the licence. 201 `{number, "
    "status}`: `approved` at once when the item carries instant-approval rules (秒批) and "
    "every one holds, else `submitted`; 422 `unknown_item`, `missing_material` (details "
    "list them), `delivery_not_offered`, `incomplete_address`; 403 `not_authorised_agent`."
)
@documented(
    "citizen",
    body=s.ApplicationRequest,
    answers={201: s.Filed},
    errors={
        403: ("not_authorised_agent",),
        422: ("unknown_item", *FILING_ERRORS, "invalid_citizen_id"),
    },
)
async def create(request: Request) -> HTTPResponse:
    caller = await current_citizen(request)
    typed, body = parsed(
        request,
        s.ApplicationRequest,
        codes=FILING_CODES,
        wrong={("item_code",): "missing_field", ("on_behalf_of",): "invalid_citizen_id"},
    )
    if typed.on_behalf_of is None:
        case = await submit(services(request).cases, caller, body)
    else:  # an agent (代办员) files for the citizen who authorised them; the case is theirs
        citizen = await agents.principal_for(caller, typed.on_behalf_of, typed.item_code)
        case = await submit(services(request).cases, citizen, body, agent_id=str(caller.id))
    if case.status == "approved":  # approved at once (秒批): a licence may be held now
        await app_context(request).policy_check.recheck(str(case.citizen_id))
    return json({"number": case.number, "status": case.status}, status=201)


@bp.get("")
@openapi.parameter("page", int, "query", description="1-based page number")
@openapi.summary("The calling citizen's cases, newest first")
@openapi.description(
    "Your own cases, and those you filed as an agent while the authorisation for that item "
    "stands: once the citizen revokes it, those cases leave your list and answer 404. "
    "Paged: `{items, total}`, `?page=` (from 1), `?per_page=` (default 20, at most 100)."
)
@documented("citizen", answers={200: s.CasePage})
async def index(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    cases, total = await citizen_cases(str(citizen.id), paging(request))
    return json(paged([summary(case) for case in cases], total))


@bp.get("/<number:str>")
@openapi.summary("One case with its timeline and shipment")
@openapi.description(
    "The contract's fields `{number, item_code, status, due_date, timeline: [{status, at, "
    "note}], shipment}` plus `due_provisional` (true when the due date was counted past the "
    "holiday data: Monday to Friday), `created_at`, `delivery: {method, address}` (address "
    "masked) and `materials: [{name}]`. 404 `case_not_found` for a case that is not yours."
)
@documented("citizen", answers={200: s.CaseDetail}, errors={404: ("case_not_found",)})
async def show(request: Request, number: str) -> HTTPResponse:
    return await _detail(request, number)


@bp.post("/<number:str>/supplement")
@openapi.summary("Send the requested materials; the case returns to where it was")
@openapi.body({"application/json": {"materials": [{"name": str, "file_id": str}], "note": str}})
@openapi.description(
    "`materials`: a list of `{name, file_id}`, each a material of the item and a file you "
    "uploaded (422 `invalid_materials`, `unknown_material`, `unknown_file`), at least one: "
    "a supplement answers the clerk's request, so an empty list is 422 `empty_supplement` "
    "(not `missing_material`, which names required materials missing from a new application). "
    "`note` (optional): text of at most 1000 characters, else 422 `invalid_value`, as for "
    "staff actions. 409 `invalid_transition` unless the case is `supplement_requested`; "
    "404 for a case that is not yours (or no longer yours to act on as an agent)."
)
@documented(
    "citizen",
    body=s.Supplement,
    answers={200: s.CaseDetail},
    errors={
        404: ("case_not_found",),
        409: ("invalid_transition", "concurrent_update"),
        422: ("empty_supplement", "invalid_materials", "unknown_material", "unknown_file"),
    },
)
async def supplement(request: Request, number: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    _, body = parsed(request, s.Supplement, codes={("materials",): ("invalid_materials", "index")})
    case = await citizen_case(number, str(citizen.id))
    await citizen_actions.supplement(services(request).cases, case, str(citizen.id), body)
    return await _detail(request, number)


@bp.post("/<number:str>/withdraw")
@openapi.summary("Withdraw a case that is submitted or waiting for a supplement")
@documented(
    "citizen",
    answers={200: s.CaseDetail},
    errors={404: ("case_not_found",), 409: ("invalid_transition", "concurrent_update")},
)
async def withdraw(request: Request, number: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    case = await citizen_case(number, str(citizen.id))
    await citizen_actions.withdraw(services(request).cases, case, str(citizen.id))
    return await _detail(request, number)
