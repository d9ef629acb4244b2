"""One-thing bundles (一件事): list, read, file all items at once, follow the filing."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from core.bundles.service import bundle_detail, file_bundle, get_bundle, list_bundles
from miniapp_api import schemas as s
from miniapp_api.body import FILING_CODES, FILING_ERRORS, parsed
from miniapp_api.context import current_citizen, services
from miniapp_api.docs import documented

bp = Blueprint("bundles", url_prefix="/api/v1/bundles")


@bp.get("")
@openapi.summary("The one-thing bundles (一件事), each with its items' materials merged")
@openapi.description(
    "A plain array (a short fixed list): `[{code, name, items: [item codes], materials: "
    "[{name, required, license_type}]}]`; a material several items need is listed once, "
    "required when any item requires it."
)
@documented("public", answers={200: [s.Bundle]})
async def index(request: Request) -> HTTPResponse:
    return json(await list_bundles())


@bp.get("/<code:str>")
@openapi.summary("One bundle; 404 `bundle_not_found`")
@documented("public", answers={200: s.Bundle}, errors={404: ("bundle_not_found",)})
async def show(request: Request, code: str) -> HTTPResponse:
    return json(await get_bundle(code))


@bp.post("/<code:str>/applications")
@openapi.summary("File every item of the bundle at once: all cases or none")
@openapi.description(
    "Body as an application without `item_code`: one `form`, one `materials` list "
    "(`[{name, file_id}]`, each material once, whatever number of items needs it) and "
    "`delivery`. 201 `{bundle_number, applications: [{number, item_code, status}]}`; one "
    "case per item, each routed to its own department with its own deadline (an item whose "
    "instant-approval rules all hold answers `approved`). Any item's problem creates no "
    "case: 422 `delivery_not_offered` (a method some item does not offer), "
    "`missing_material` (details name the `item_code`), `unknown_material`, `unknown_file`."
)
@documented(
    "citizen",
    body=s.BundleRequest,
    answers={201: s.BundleFiled},
    errors={
        404: ("bundle_not_found",),
        422: FILING_ERRORS,
    },
)
async def create(request: Request, code: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    _, body = parsed(request, s.BundleRequest, codes=FILING_CODES)
    answer = await file_bundle(services(request).cases, citizen, code, body)
    return json(answer, status=201)


@bp.get("/applications/<number:str>")
@openapi.summary("A bundle filing of yours: its cases and one combined timeline")
@openapi.description(
    "`{bundle_number, code, name, completed, applications: [case summaries], timeline: "
    "[{status, at, note, number, item_code}]}`, oldest step first. 404 `bundle_not_found` "
    "for a number that is not yours."
)
@documented("citizen", answers={200: s.BundleDetail}, errors={404: ("bundle_not_found",)})
async def filing(request: Request, number: str) -> HTTPResponse:
    citizen = await current_citizen(request)
    return json(await bundle_detail(str(citizen.id), number))
