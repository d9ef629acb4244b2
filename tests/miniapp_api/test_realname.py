"""Real-name verification through the HTTP API: WeChat face, Alipay certify, the sandbox,
joining accounts across platforms, refusals and rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from core.cases.models import Application
from core.clock import FrozenClock
from core.identity.idnumber import check_character
from core.identity.models import Citizen
from core.ports import IdentityVerifier
from core.settings import Settings
from integrations.alipay.sandbox import AlipaySandbox
from integrations.identity.sandbox import SandboxIdentityVerifier
from integrations.state import MemoryState
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.app import create_app
from miniapp_api.server import start_server
from tests import harness
from tests.harness import Api
from tests.miniapp_api.test_auth import wechat_login

NAME, ID_NUMBER = "张三", "32010219900307005X"
assert check_character(ID_NUMBER[:17]) == ID_NUMBER[17]
CLAIM = {"name": NAME, "id_number": ID_NUMBER}


# -- helpers shared with test_me and test_pii_at_rest ---------------------------------------


async def alipay_login(api: Api, alipay: AlipaySandbox, open_id: str | None = None) -> dict:
    code = alipay.issue_auth_code(harness.ALIPAY_APPID, open_id=open_id)
    status, body, _ = await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": code})
    assert status == 200, body
    return body


async def start(api: Api, token: str, claim: Mapping[str, str] = CLAIM) -> dict:
    status, body, _ = await api.call("POST", "/api/v1/me/realname", token=token, json=claim)
    assert status == 202, body
    return dict(body["verification"])


async def confirm(api: Api, token: str, verification_id: str) -> tuple[int, Any]:
    status, body, _ = await api.call(
        "POST",
        "/api/v1/me/realname/confirm",
        token=token,
        json={"verification_id": verification_id},
    )
    return status, body


async def verify_on_wechat(
    api: Api, wechat: WeChatSandbox, token: str, claim: Mapping[str, str] = CLAIM
) -> dict:
    verification = await start(api, token, claim)
    wechat.complete_face(verification["verify_id"], passed=True)
    status, me = await confirm(api, token, verification["id"])
    assert status == 200, me
    return dict(me)


async def verify_on_alipay(
    api: Api, alipay: AlipaySandbox, token: str, claim: Mapping[str, str] = CLAIM
) -> dict:
    verification = await start(api, token, claim)
    alipay.complete_certify(verification["certify_id"], passed=True)
    status, me = await confirm(api, token, verification["id"])
    assert status == 200, me
    return dict(me)


@asynccontextmanager
async def api_with(
    settings: Settings, clock: FrozenClock, verifiers: Mapping[str, IdentityVerifier]
) -> AsyncIterator[Api]:
    server = await start_server(create_app(settings, clock=clock, verifiers=verifiers))
    try:
        async with aiohttp.ClientSession() as http:
            yield Api(server, http, clock)
    finally:
        await server.stop()


async def make_case(citizen_id: str, api: Api) -> str:
    now = api.clock.now()
    case = await Application.create(
        number="2026" + citizen_id[:8],
        citizen_id=citizen_id,
        item_code="ITEM",
        item_version_id=1,
        department_code="D1",
        status="submitted",
        delivery_method="pickup",
        promised_days=5,
        legal_days=20,
        created_at=now,
        updated_at=now,
    )
    return case.number


# -- the three providers -----------------------------------------------------------------------


async def test_wechat_face_verification(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    verification = await start(api, token, {"name": NAME, "id_number": ID_NUMBER.lower()})
    assert verification["provider"] == "wechat_face"
    assert set(verification) == {"id", "provider", "verify_id"}
    status, body = await confirm(api, token, verification["id"])
    assert (status, body["error"]["code"]) == (422, "verification_failed")  # not done yet

    verification = await start(api, token)
    wechat.complete_face(verification["verify_id"], passed=True)
    status, me = await confirm(api, token, verification["id"])
    assert status == 200, me
    assert me["realname_verified"] is True
    assert (me["name_masked"], me["id_number_masked"]) == ("张*", "3201**********005X")
    assert me["platforms"] == ["wechat"]
    assert (await api.call("GET", "/api/v1/me", token=token))[1] == me


async def test_alipay_certify_verification(api: Api, alipay: AlipaySandbox) -> None:
    token = (await alipay_login(api, alipay))["token"]
    verification = await start(api, token)
    assert verification["provider"] == "alipay_certify"
    assert set(verification) == {"id", "provider", "certify_id", "certify_url"}
    assert verification["certify_url"].startswith(alipay.gateway_url)
    alipay.complete_certify(verification["certify_id"], passed=True)
    status, me = await confirm(api, token, verification["id"])
    assert (status, me["realname_verified"], me["platforms"]) == (200, True, ["alipay"])


async def test_the_demo_sandboxes_pass_face_checks_in_the_contract_shape(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    """`citysvc demo` starts its sandboxes with faces_pass / certify_pass: the API answers
    with verify_id (certify_id, certify_url) as the contract says, and confirming passes
    without a face check nobody could do there."""
    wechat.faces.auto_pass = True  # what WeChatSandbox(faces_pass=True) sets
    alipay.state.certify_pass = True  # AlipaySandbox(certify_pass=True)
    token = (await wechat_login(api, wechat))["token"]
    verification = await start(api, token)
    assert set(verification) == {"id", "provider", "verify_id"}
    status, me = await confirm(api, token, verification["id"])
    assert (status, me["realname_verified"]) == (200, True)
    token = (await alipay_login(api, alipay))["token"]
    verification = await start(api, token, {"name": "李四", "id_number": "11010519491231002X"})
    assert set(verification) == {"id", "provider", "certify_id", "certify_url"}
    status, me = await confirm(api, token, verification["id"])
    assert (status, me["realname_verified"]) == (200, True)


async def test_sandbox_provider(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock, wechat: WeChatSandbox
) -> None:
    sandbox = SandboxIdentityVerifier(MemoryState())
    settings = harness.settings_for(database_url, **platform_env)
    async with api_with(settings, clock, {"wechat": sandbox}) as api:
        token = (await wechat_login(api, wechat))["token"]
        verification = await start(api, token)
        assert verification["provider"] == "sandbox"
        await sandbox.complete(verification["sandbox_id"], passed=True)
        status, me = await confirm(api, token, verification["id"])
        assert (status, me["realname_verified"]) == (200, True)


async def test_platform_without_provider_is_503(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock, wechat: WeChatSandbox
) -> None:
    settings = harness.settings_for(database_url, **platform_env)
    async with api_with(settings, clock, {}) as api:
        token = (await wechat_login(api, wechat))["token"]
        status, body, _ = await api.call("POST", "/api/v1/me/realname", token=token, json=CLAIM)
        assert (status, body["error"]["code"]) == (503, "realname_unavailable")


# -- confirmations that must not count --------------------------------------------------------


async def test_failed_face_then_used(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    verification = await start(api, token)
    wechat.complete_face(verification["verify_id"], passed=False)
    status, body = await confirm(api, token, verification["id"])
    assert (status, body["error"]["code"]) == (422, "verification_failed")
    status, body = await confirm(api, token, verification["id"])
    assert (status, body["error"]["code"]) == (409, "verification_used")
    me = (await api.call("GET", "/api/v1/me", token=token))[1]
    assert me["realname_verified"] is False and me["id_number_masked"] is None


async def test_confirmed_twice_is_409(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    verification = await start(api, token)
    wechat.complete_face(verification["verify_id"], passed=True)
    assert (await confirm(api, token, verification["id"]))[0] == 200
    status, body = await confirm(api, token, verification["id"])
    assert (status, body["error"]["code"]) == (409, "verification_used")
    status, body, _ = await api.call("POST", "/api/v1/me/realname", token=token, json=CLAIM)
    assert (status, body["error"]["code"]) == (409, "already_verified")


async def test_another_citizens_verification_is_404(api: Api, wechat: WeChatSandbox) -> None:
    owner = (await wechat_login(api, wechat))["token"]
    intruder = (await wechat_login(api, wechat))["token"]
    verification = await start(api, owner)
    wechat.complete_face(verification["verify_id"], passed=True)
    for verification_id in (verification["id"], "nonsense", "00000000-0000-4000-8000-000000000000"):
        status, body = await confirm(api, intruder, verification_id)
        assert (status, body["error"]["code"]) == (404, "verification_not_found")
    assert (await api.call("GET", "/api/v1/me", token=intruder))[1]["realname_verified"] is False
    assert (await confirm(api, owner, verification["id"]))[0] == 200  # still the owner's


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


BAD_IDS = {
    "bad check digit": ID_NUMBER[:17] + "1",
    "31 February": _with_check("32010219900231123"),
    "future date": _with_check("32010220270101123"),
    "17 characters": ID_NUMBER[:17],
    "letters": "3201021990O307005X",
}


async def test_bad_id_numbers_are_refused(api: Api, wechat: WeChatSandbox) -> None:
    for case, number in BAD_IDS.items():
        token = (await wechat_login(api, wechat))["token"]  # fresh citizen: stay under the limit
        status, body, _ = await api.call(
            "POST", "/api/v1/me/realname", token=token, json={"name": NAME, "id_number": number}
        )
        assert (status, body["error"]["code"]) == (422, "invalid_id_number"), case
        assert body["error"]["message"] and number not in str(body), case
    assert wechat.calls["/cityservice/face/identify/getverifyid"] == 0


@pytest.mark.parametrize("name", ["张", "张三3", "·张三", "Li 😀"])
async def test_bad_names_are_refused(api: Api, wechat: WeChatSandbox, name: str) -> None:
    token = (await wechat_login(api, wechat))["token"]
    status, body, _ = await api.call(
        "POST", "/api/v1/me/realname", token=token, json={"name": name, "id_number": ID_NUMBER}
    )
    assert (status, body["error"]["code"]) == (422, "invalid_name")


async def test_bodies_and_tokens(api: Api, wechat: WeChatSandbox) -> None:
    assert (await api.call("POST", "/api/v1/me/realname", json=CLAIM))[0] == 401
    token = (await wechat_login(api, wechat))["token"]
    status, body, _ = await api.call(
        "POST", "/api/v1/me/realname", token=token, json={"name": NAME}
    )
    assert (status, body["error"]["code"]) == (422, "missing_field")
    status, body, _ = await api.call("POST", "/api/v1/me/realname/confirm", token=token, json=["x"])
    assert (status, body["error"]["code"]) == (400, "malformed_request")


# -- one citizen across WeChat and Alipay ------------------------------------------------------


async def test_accounts_join_across_platforms(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    first = await wechat_login(api, wechat)
    second = await alipay_login(api, alipay, open_id="ali-join")
    wechat_token, alipay_token = first["token"], second["token"]
    old_id, kept_id = second["citizen"]["id"], first["citizen"]["id"]
    wechat_case = await make_case(kept_id, api)
    alipay_case = await make_case(old_id, api)
    await verify_on_wechat(api, wechat, wechat_token)

    me = await verify_on_alipay(api, alipay, alipay_token)

    assert me["id"] == kept_id and me["platforms"] == ["alipay", "wechat"]
    assert me["realname_verified"] is True and me["id_number_masked"] == "3201**********005X"
    # the Alipay token keeps working and now speaks for the joined citizen
    assert (await api.call("GET", "/api/v1/me", token=alipay_token))[1] == me
    for token in (wechat_token, alipay_token):
        status, cases, _ = await api.call("GET", "/api/v1/applications", token=token)
        assert status == 200, cases
        assert {c["number"] for c in cases["items"]} == {wechat_case, alipay_case}
    # the next Alipay login lands on the joined citizen too
    again = await alipay_login(api, alipay, open_id="ali-join")
    assert again["citizen"] == {"id": kept_id, "realname_verified": True}
    absorbed = await Citizen.get(id=old_id)
    assert absorbed.closed_at is not None and absorbed.id_number_index is None


# -- rate limits -----------------------------------------------------------------------------


async def test_realname_attempts_per_citizen(api: Api, wechat: WeChatSandbox) -> None:
    token = (await wechat_login(api, wechat))["token"]
    bad = {"name": NAME, "id_number": BAD_IDS["bad check digit"]}
    for _ in range(5):
        assert (await api.call("POST", "/api/v1/me/realname", token=token, json=bad))[0] == 422
    status, body, resp = await api.call("POST", "/api/v1/me/realname", token=token, json=CLAIM)
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    assert int(resp.headers["Retry-After"]) > 60 * 50  # the hour's window, not a minute


async def test_realname_attempts_per_ip_in_redis(
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    redis_url: str,
    wechat: WeChatSandbox,
) -> None:
    settings = harness.settings_for(database_url, REDIS_URL=redis_url, **platform_env)
    bad = {"name": NAME, "id_number": BAD_IDS["bad check digit"]}
    async with harness.running_api(settings, clock) as api:
        for _ in range(4):  # four citizens, five attempts each: the address's 20
            token = (await wechat_login(api, wechat))["token"]
            for _ in range(5):
                status, _, _ = await api.call("POST", "/api/v1/me/realname", token=token, json=bad)
                assert status == 422
        token = (await wechat_login(api, wechat))["token"]
        status, body, resp = await api.call("POST", "/api/v1/me/realname", token=token, json=CLAIM)
        assert (status, body["error"]["details"]) == (429, {"limit": "realname-ip"})
        assert "Retry-After" in resp.headers


async def test_login_per_ip(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock, wechat: WeChatSandbox
) -> None:
    settings = harness.settings_for(database_url, LOGIN_LIMIT_PER_IP="10", **platform_env)
    async with harness.running_api(settings, clock) as api:
        for _ in range(10):
            assert (await api.call("POST", "/api/v1/auth/wechat", json={}))[0] == 422
        code = wechat.issue_code(harness.WECHAT_APPID)
        status, body, resp = await api.call("POST", "/api/v1/auth/wechat", json={"code": code})
        assert (status, body["error"]["details"]) == (429, {"limit": "login-ip"})
        assert 1 <= int(resp.headers["Retry-After"]) <= 60
        status, _, _ = await api.call("POST", "/api/v1/auth/alipay", json={"auth_code": "x"})
        assert status == 429  # one budget per address, whichever platform


# -- a verified ID number under another name (issue 13, 10) -----------------------------------


async def test_a_verified_number_under_another_name_is_refused(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    holder = await wechat_login(api, wechat)
    await verify_on_wechat(api, wechat, holder["token"])
    intruder = await alipay_login(api, alipay, open_id="ali-intruder")
    holder_case = await make_case(holder["citizen"]["id"], api)
    verification = await start(api, intruder["token"], {"name": "李四", "id_number": ID_NUMBER})
    alipay.complete_certify(verification["certify_id"], passed=True)

    status, body = await confirm(api, intruder["token"], verification["id"])

    assert (status, body["error"]["code"]) == (422, "identity_mismatch")
    # nothing was joined: the intruder's session speaks for the intruder, who sees no case
    me = (await api.call("GET", "/api/v1/me", token=intruder["token"]))[1]
    assert me["id"] == intruder["citizen"]["id"] and me["realname_verified"] is False
    cases = (await api.call("GET", "/api/v1/applications", token=intruder["token"]))[1]
    assert holder_case not in {c["number"] for c in cases["items"]}
    # the attempt is spent, not left pending for a second try
    assert (await confirm(api, intruder["token"], verification["id"]))[0] == 409
