"""Filing, following, supplementing and withdrawing cases through the citizen API."""

from __future__ import annotations

import asyncio

from core.cases.models import Application
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


async def test_file_and_read_case(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    number = await b.file_case(api, token)
    status, case, _ = await api.call("GET", f"/api/v1/applications/{number}", token=token)
    assert status == 200
    assert case["status"] == "submitted" and case["due_date"] is None
    assert case["timeline"][0]["status"] == "submitted"
    assert case["shipment"] is None
    assert case["delivery"]["address"]["phone"] == "138****5678"
    assert "龙川路88号" not in str(case)
    status, listed, _ = await api.call("GET", "/api/v1/applications", token=token)
    assert [c["number"] for c in listed["items"]] == [number]


async def test_a_case_filed_before_the_stored_copies_reads_the_same(
    api: Api, wechat: WeChatSandbox
) -> None:
    """The masked address and the timeline stored with a case (migrations 0003, 0004) say
    exactly what the ciphertext and the audit trail say; older cases are read from those."""
    token, clerk, number = await b.new_case(api, wechat)
    for action, extra in (
        ("accept", {}),
        ("start_review", {}),
        ("request_supplement", {"note": "请补充户口簿首页"}),
    ):
        assert (await b.act(api, clerk, number, action, **extra))[0] == 200
    path = f"/api/v1/applications/{number}"
    stored = (await api.call("GET", path, token=token))[1]
    assert stored["delivery"]["address"]["detail"] != b.ADDRESS["detail"]
    assert [step["status"] for step in stored["timeline"]] == [
        "submitted",
        "accepted",
        "under_review",
        "supplement_requested",
    ]
    assert stored["timeline"][-1]["note"].endswith("请补充户口簿首页")
    await Application.filter(number=number).update(
        delivery_address_masked=None, citizen_timeline=None
    )
    assert (await api.call("GET", path, token=token))[1] == stored


async def test_submission_checks(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item(delivery=("pickup",))
    token = await b.citizen_token(api, wechat)
    file_id = await b.upload(api, token)
    good = {
        "item_code": "320112-000-XK-00001",
        "form": {},
        "materials": [
            {"name": "申请表", "file_id": file_id},
            {"name": "居民身份证", "file_id": file_id},
        ],
        "delivery": {"method": "pickup"},
    }
    cases = [
        ({"item_code": "nope"}, "unknown_item"),
        ({"delivery": {"method": "ems", "address": b.ADDRESS}}, "delivery_not_offered"),
        ({"materials": [{"name": "申请表", "file_id": file_id}]}, "missing_material"),
        ({"materials": [{"name": "别的", "file_id": file_id}]}, "unknown_material"),
        ({"materials": [{"name": "申请表", "file_id": "f" * 32}]}, "unknown_file"),
        ({"delivery": {"method": "drone"}}, "invalid_delivery"),
    ]
    for change, code in cases:
        status, body, _ = await api.call(
            "POST", "/api/v1/applications", token=token, json={**good, **change}
        )
        assert (status, body["error"]["code"]) == (422, code), change
    assert (await api.call("POST", "/api/v1/applications", token=token, json=good))[0] == 201


async def test_ems_address_must_be_complete(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    file_id = await b.upload(api, token)
    body = {
        "item_code": "320112-000-XK-00001",
        "materials": [
            {"name": "申请表", "file_id": file_id},
            {"name": "居民身份证", "file_id": file_id},
        ],
        "delivery": {"method": "ems", "address": {**b.ADDRESS, "district": ""}},
    }
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    assert (status, answer["error"]["code"]) == (422, "incomplete_address")
    assert answer["error"]["details"] == {"field": "district"}


async def test_licence_fills_required_material(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    citizen_id = (await b.me(api, token))["id"]
    await b.verify_directly(citizen_id, id_number="11010519491231002X")
    api.server.app.ctx.services.cases.licences.grant("11010519491231002X", "id_card", "DZZZ-001")
    file_id = await b.upload(api, token)
    body = {
        "item_code": "320112-000-XK-00001",
        "materials": [{"name": "申请表", "file_id": file_id}],
        "delivery": {"method": "pickup"},
    }
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    assert status == 201, answer
    number = answer["number"]
    # the licence was recorded as the material, with its reference, for the department
    clerk = await b.staff_token(api, "clerk1")
    status, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert status == 200, case
    assert case["materials"] == [
        {"name": "申请表", "file_id": file_id},
        {"name": "居民身份证", "licence": "DZZZ-001"},
    ]
    status, mine, _ = await api.call("GET", f"/api/v1/applications/{number}", token=token)
    assert [m["name"] for m in mine["materials"]] == ["申请表", "居民身份证"]
    # a citizen holding no licence of that type (not even a verified identity, which stands
    # for the ID card) misses the material with the same body
    other = await b.citizen_token(api, wechat)
    body["materials"] = [{"name": "申请表", "file_id": await b.upload(api, other)}]
    status, refused, _ = await api.call("POST", "/api/v1/applications", token=other, json=body)
    assert (status, refused["error"]["code"]) == (422, "missing_material")
    assert refused["error"]["details"]["missing"] == ["居民身份证"]


async def test_a_verified_citizen_needs_no_id_card_upload(api: Api, wechat: WeChatSandbox) -> None:
    """The registry holds nothing for this citizen: the verified real name is the ID card."""
    await b.add_item(delivery=("pickup",))
    token = await b.citizen_token(api, wechat)
    file_id = await b.upload(api, token)
    body = {
        "item_code": "320112-000-XK-00001",
        "materials": [{"name": "申请表", "file_id": file_id}],
        "delivery": {"method": "pickup"},
    }
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    assert (status, answer["error"]["code"]) == (422, "missing_material")
    assert answer["error"]["details"]["missing"] == ["居民身份证"]
    await b.verify_directly((await b.me(api, token))["id"], id_number="320112199001010013")
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    assert status == 201, answer
    clerk = await b.staff_token(api, "clerk1")
    path = f"/api/v1/staff/applications/{answer['number']}"
    _, case, _ = await api.call("GET", path, token=clerk)
    assert {"name": "居民身份证", "licence": "realname-verified"} in case["materials"]


async def test_someone_elses_case_is_404(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    owner = await b.citizen_token(api, wechat)
    other = await b.citizen_token(api, wechat)
    number = await b.file_case(api, owner)
    for path in (f"/api/v1/applications/{number}", "/api/v1/applications/20261126-000001-0"):
        status, body, _ = await api.call("GET", path, token=other)
        assert (status, body["error"]["code"]) == (404, "case_not_found")
    status, _, _ = await api.call("POST", f"/api/v1/applications/{number}/withdraw", token=other)
    assert status == 404


async def test_concurrent_submissions_get_distinct_numbers(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    numbers = await asyncio.gather(*(b.file_case(api, token) for _ in range(12)))
    assert len(set(numbers)) == 12
    assert all(n.startswith("20261126-") for n in numbers)


async def test_withdraw_only_early(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    clerk = await b.staff_token(api, "clerk1")
    first, second = await b.file_case(api, token), await b.file_case(api, token)
    status, case, _ = await api.call("POST", f"/api/v1/applications/{first}/withdraw", token=token)
    assert (status, case["status"]) == (200, "withdrawn")
    assert (await b.act(api, clerk, second, "accept"))[0] == 200
    status, body, _ = await api.call("POST", f"/api/v1/applications/{second}/withdraw", token=token)
    assert (status, body["error"]["code"]) == (409, "invalid_transition")


async def test_supplement_returns_to_previous_state(api: Api, wechat: WeChatSandbox) -> None:
    token, clerk, number = await b.new_case(api, wechat)
    for action in ("accept", "start_review"):
        assert (await b.act(api, clerk, number, action))[0] == 200
    status, case = await b.act(api, clerk, number, "request_supplement", note="请补充户口簿")
    assert case["status"] == "supplement_requested"
    file_id = await b.upload(api, token)
    status, case, _ = await api.call(
        "POST",
        f"/api/v1/applications/{number}/supplement",
        token=token,
        json={"materials": [{"name": "申请表", "file_id": file_id}], "note": "已补"},
    )
    assert (status, case["status"]) == (200, "under_review")
    notes = [entry["note"] for entry in case["timeline"]]
    assert "请补正材料：请补充户口簿" in notes


async def test_a_supplement_needs_a_material_and_a_text_note(
    api: Api, wechat: WeChatSandbox
) -> None:
    token, clerk, number = await b.new_case(api, wechat)
    assert (await b.act(api, clerk, number, "request_supplement", note="请补充申请表"))[0] == 200
    material = {"name": "申请表", "file_id": await b.upload(api, token)}
    path = f"/api/v1/applications/{number}/supplement"
    cases = [
        ({"materials": [], "note": "x"}, "empty_supplement", {"field": "materials"}),
        ({"note": "已补"}, "empty_supplement", {"field": "materials"}),
        ({"materials": [material], "note": 5}, "invalid_value", {"field": "note"}),
        ({"materials": [material], "note": "长" * 1001}, "invalid_value", {"field": "note"}),
        ({"materials": {"name": "申请表"}}, "invalid_materials", {}),
        ({"materials": [{"name": "申请表"}]}, "invalid_materials", {"index": 0}),
    ]
    for body, code, details in cases:
        status, answer, _ = await api.call("POST", path, token=token, json=body)
        assert (status, answer["error"]["code"], answer["error"]["details"]) == (
            422,
            code,
            details,
        ), body
    status, case, _ = await api.call("GET", f"/api/v1/applications/{number}", token=token)
    assert (status, case["status"], len(case["materials"])) == (200, "supplement_requested", 2)
    status, case, _ = await api.call(
        "POST", path, token=token, json={"materials": [material], "note": None}
    )
    assert (status, case["status"], len(case["materials"])) == (200, "submitted", 3)


async def test_uploads_by_content_and_who_reads_them(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    other = await b.citizen_token(api, wechat)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    file_id = await b.upload(api, token, png)
    status, content, resp = await api.call("GET", f"/api/v1/uploads/{file_id}", token=token)
    assert status == 200 and resp.headers["Content-Type"] == "image/png"
    assert (await api.call("GET", f"/api/v1/uploads/{file_id}", token=other))[0] == 404
    for payload, expected in ((b"GIF89a....", 415), (b"%PDF-" + b"x" * (10 * 1024 * 1024), 413)):
        import aiohttp

        form = aiohttp.FormData()
        form.add_field("file", payload, filename="scan.pdf")
        status, body, _ = await api.call("POST", "/api/v1/uploads", token=token, data=form)
        assert status == expected, body
    number = await b.file_case(api, token)
    case_file = (
        await api.call(
            "GET", f"/api/v1/staff/applications/{number}", token=await b.staff_token(api, "clerk1")
        )
    )[1]["materials"][0]
    clerk = await b.staff_login(api, "clerk1")
    path = f"/api/v1/staff/applications/{number}/materials/{case_file['file_id']}"
    assert (await api.call("GET", path, token=clerk))[0] == 200
    outsider = await b.staff_token(api, "clerk-mz", department="MZ")
    assert (await api.call("GET", path, token=outsider))[0] == 404
    wrong = f"/api/v1/staff/applications/{number}/materials/{file_id}"
    assert (await api.call("GET", wrong, token=clerk))[0] == 404
