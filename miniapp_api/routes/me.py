"""The calling citizen's own profile: real-name verification, phone, closing the account."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json
from sanic_ext import openapi

from core.accounts.closing import close_account
from core.auth.sessions import Principal
from core.campaigns.towns import clear_town, set_town, town_of
from core.errors import NotAuthenticated, Unavailable
from core.followers.links import issue_code
from core.identity.models import Citizen
from core.identity.phone import bind_phone
from core.identity.profile import profile
from core.paging import paged
from core.policies.service import eligible
from core.privacy.registry import Subject
from core.ratelimit import REALNAME_PER_CITIZEN, REALNAME_PER_IP, Limit, enforce
from miniapp_api import schemas as s
from miniapp_api.body import paging, parsed
from miniapp_api.context import app_context, authenticated, current_citizen, services
from miniapp_api.docs import documented
from notifications.inbox import inbox

bp = Blueprint("me", url_prefix="/api/v1/me")

_ME_SHAPE = {
    "id": str,
    "realname_verified": bool,
    "name_masked": str,
    "id_number_masked": str,
    "phone_masked": str,
    "platforms": [str],
}


async def _caller(request: Request) -> tuple[Principal, Citizen]:
    principal = await authenticated(request)
    citizen = await Citizen.get_or_none(id=principal.subject_id, closed_at=None)
    if citizen is None:
        raise NotAuthenticated("This account no longer exists.", code="account_closed")
    return principal, citizen


async def _profile(request: Request, citizen_id: str) -> HTTPResponse:
    citizen = await Citizen.get(id=citizen_id)
    return json(await profile(services(request).cipher, citizen))


@bp.get("")
@openapi.summary("The calling citizen: verification state, masked identity, platforms")
@openapi.description(
    "Masks (name `张*`, ID `3201**********1234`, phone `138****5678`) are "
    "null until known. `phone_masked` is an addition to the contract."
)
@openapi.response(200, {"application/json": _ME_SHAPE})
@documented("citizen", answers={200: s.Me}, errors={401: ("account_closed",)})
async def me(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    return json(await profile(services(request).cipher, citizen))


@bp.delete("")
@openapi.summary("Close the account: personal data erased, sessions ended, cases kept")
@openapi.description(
    "Answers 204. Case files stay (the law requires them) without the "
    "citizen's personal fields; see core/accounts/closing.py."
)
@documented("citizen", answers={204: None})
async def close(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    svc = services(request)
    await close_account(
        str(citizen.id), svc.clock.now(), svc.settings.upload_dir, svc.personal_data
    )
    return empty()


@bp.get("/export")
@openapi.summary("A copy of everything held about you (PIPL art. 45), as one JSON document")
@openapi.description(
    "One key per section, each feature's own: `identity` (masked as on `/me`, with "
    "`created_at` and `town`), `applications` (each case as you see it: status, timeline, "
    "materials' names, masked delivery address), `uploads`, `agent_authorizations` "
    "(`given` or `held`), `topics`, `official_account` (links, questions handed to staff), "
    "`messages` (every message sent or due) and `consents`; plus `exported_at` and "
    "`sections`. docs/privacy.md lists every field."
)
@documented("citizen", answers={200: s.PersonalDataExport}, errors={401: ("account_closed",)})
async def export(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    svc = services(request)
    now = svc.clock.now()
    body = await svc.personal_data.export(Subject(citizen, svc.cipher, now))
    document = {"exported_at": now.isoformat(), "sections": svc.personal_data.sections}
    return json(document | body, headers={"Content-Disposition": _ATTACHMENT})


_ATTACHMENT = 'attachment; filename="citysvc-export.json"'


@bp.post("/realname")
@openapi.summary("Start real-name verification (face check) for a name and ID number")
@openapi.description(
    "202 `{verification: {id, provider, ...}}`: `verify_id` for WeChat face verification "
    "(WeChat sessions, provider `wechat_face`), `certify_id` and `certify_url` for Alipay "
    "certify (Alipay sessions, provider `alipay_certify`). 422 `invalid_id_number` / "
    "`invalid_name`, 409 `already_verified`, 429 past 5 attempts an hour per citizen or 20 "
    "per IP, 503 `realname_unavailable` when the session's platform has no provider."
)
@openapi.body({"application/json": {"name": str, "id_number": str}})
@documented(
    "citizen",
    body=s.RealnameStart,
    answers={202: s.VerificationStarted},
    errors={
        401: ("account_closed",),
        409: ("already_verified",),
        422: ("invalid_id_number", "invalid_name"),
        503: ("realname_unavailable",),
    },
)
async def realname(request: Request) -> HTTPResponse:
    principal, citizen = await _caller(request)
    svc = services(request)
    # Counted before the body is read: refused input is exactly what enumeration looks like.
    await enforce(svc.platforms.state, REALNAME_PER_IP, request.remote_addr or request.ip)
    await enforce(svc.platforms.state, REALNAME_PER_CITIZEN, str(citizen.id))
    body, _ = parsed(request, s.RealnameStart)
    row, ticket = await svc.realname.start(citizen, principal.platform, body.name, body.id_number)
    answer = {"id": str(row.id), "provider": row.provider, **ticket.opens}
    return json({"verification": answer}, status=202)


@bp.post("/realname/confirm")
@openapi.summary("Confirm a verification once the face check is done")
@openapi.description(
    "Asks the provider for its server-side result. 200 with `/me`'s shape (of the surviving "
    "citizen when this ID number was already verified by another account: the two are "
    "joined and the caller's token keeps working); 422 `verification_failed`; 422 "
    "`identity_mismatch` when that account holds the number under another name (nothing is "
    "joined and the attempt is spent); 404 for an "
    "unknown or another citizen's verification; 409 `verification_used` the second time, "
    "`verification_expired` after 30 minutes."
)
@openapi.body({"application/json": {"verification_id": str}})
@openapi.response(200, {"application/json": _ME_SHAPE})
@documented(
    "citizen",
    body=s.RealnameConfirm,
    answers={200: s.Me},
    errors={
        404: ("verification_not_found",),
        409: ("verification_used", "verification_expired", "already_verified"),
        422: ("verification_failed",),
        502: ("upstream_rejected",),
        503: ("upstream_unavailable", "realname_unavailable"),
    },
)
async def confirm(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    verification_id = parsed(request, s.RealnameConfirm)[0].verification_id
    survivor_id = await services(request).realname.confirm(str(citizen.id), verification_id)
    await app_context(request).policy_check.recheck(survivor_id)  # an age is known now
    return await _profile(request, survivor_id)


@bp.post("/phone")
@openapi.summary("Bind the phone number from the WeChat phone-number button")
@openapi.description(
    "Body `{code}` from `getPhoneNumber`; answers `/me`'s shape with "
    "`phone_masked`. The number is stored encrypted."
)
@openapi.body({"application/json": {"code": str}})
@openapi.response(200, {"application/json": _ME_SHAPE})
@documented(
    "citizen",
    body=s.PhoneCode,
    answers={200: s.Me},
    errors={
        422: ("invalid_phone_code", "invalid_phone"),
        502: ("upstream_rejected",),
        503: ("platform_not_configured", "upstream_unavailable"),
    },
)
async def phone(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    code = parsed(request, s.PhoneCode)[0].code
    svc = services(request)
    if svc.platforms.wechat is None:
        raise Unavailable(
            "WeChat is not configured on this server.", code="platform_not_configured"
        )
    await bind_phone(svc.platforms.wechat, svc.cipher, citizen, code)
    return await _profile(request, str(citizen.id))


@bp.get("/town")
@openapi.summary("The township the caller said they live in: {town} (null when not said)")
@documented("citizen", answers={200: s.TownAnswer})
async def town(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    return json({"town": await town_of(str(citizen.id))})


@bp.put("/town")
@openapi.summary("Say which township you live in: {town}; campaigns may be aimed by town")
@openapi.description(
    "One of `GET /api/v1/towns` when the district lists its towns (422 `unknown_town` "
    "otherwise). An addition to the contract."
)
@openapi.body({"application/json": {"town": str}})
@documented("citizen", body=s.Town, answers={200: s.TownAnswer}, errors={422: ("unknown_town",)})
async def set_own_town(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    svc = services(request)
    value = parsed(request, s.Town, codes={("town",): "invalid_value"})[0].town
    saved = await set_town(str(citizen.id), value, svc.settings.campaigns.towns, svc.clock.now())
    await app_context(request).policy_check.recheck(str(citizen.id))
    return json({"town": saved})


@bp.delete("/town")
@openapi.summary("Forget the caller's township (204)")
@documented("citizen", answers={204: None})
async def forget_town(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    await clear_town(str(citizen.id))
    return empty()


# A code is worth one link: a few a day is plenty, and codes must not be farmed.
OA_BINDING_PER_CITIZEN = Limit("oa-binding-citizen", hits=10, window=3600)


@bp.post("/oa-binding-code")
@openapi.summary("A one-time code that links the Official Account to this citizen")
@openapi.description(
    "201 `{code, expires_at, expires_in}`: 6 digits, valid 10 minutes, once. The citizen "
    "sends `绑定 <code>` to the Official Account, which then answers `进度` about their own "
    "cases. A new code replaces the previous one. 429 past 10 codes an hour."
)
@openapi.response(201, {"application/json": {"code": str, "expires_at": str, "expires_in": int}})
@documented("citizen", answers={201: s.BindingCode}, errors={503: ("binding_busy",)})
async def oa_binding_code(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    svc = services(request)
    await enforce(svc.platforms.state, OA_BINDING_PER_CITIZEN, str(citizen.id))
    now = svc.clock.now()
    code, expires = await issue_code(svc.cipher, str(citizen.id), now)
    seconds = int((expires - now).total_seconds())
    return json(
        {"code": code, "expires_at": expires.isoformat(), "expires_in": seconds}, status=201
    )


@bp.get("/messages")
@openapi.summary("The calling citizen's inbox: messages sent or due, newest first (paged)")
@openapi.description(
    "Each `{event, title, at, channel, status, application_number}`: `status` as in the staff "
    "view (`queued`, `sending`, `sent`, `failed`, `no_consent`, `no_channel`); `at` the time "
    "sent, else the time due; `application_number` null for messages about no case."
)
@documented("citizen", answers={200: s.MessagePage})
async def messages(request: Request) -> HTTPResponse:
    citizen = await current_citizen(request)
    items, total = await inbox(str(citizen.id), paging(request))
    return json(paged(items, total))


@bp.get("/eligible")
@openapi.summary("Benefits you qualify for now (免申即享), each filed by one tap")
@openapi.description(
    "A plain array `[{code, name, item_code, form}]`: the policies whose every rule holds for "
    "you now (age from your verified ID number, the town you declared, licences you hold). "
    "File one with `POST /api/v1/applications` and the item code and `form` given here."
)
@documented("citizen", answers={200: [s.EligiblePolicy]})
async def eligible_policies(request: Request) -> HTTPResponse:
    _, citizen = await _caller(request)
    return json(await eligible(services(request).cases, citizen))
