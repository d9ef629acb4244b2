"""One-thing bundles (一件事): one form, materials once, all cases or none, one push."""

from __future__ import annotations

from typing import Any

from core.bundles.importer import import_bundles
from core.bundles.models import BundleFiling
from core.cases.models import Application, CaseNumber
from core.outbox.models import OutboxMessage
from core.uploads.models import Upload
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

BIRTH = "320112-000-GG-00001"  # 出生医学证明: health
HUKOU = "320112-000-GA-00002"  # 户口登记: police
YIBAO = "320112-000-YB-00003"  # 医保参保: medical insurance
ID_CARD = {"name": "居民身份证", "required": True}
FORM = {"name": "申请表", "required": True}


async def birth_bundle(third_needs: list[dict[str, Any]] | None = None) -> None:
    await b.add_item(code=BIRTH, department="GG", materials=[FORM, ID_CARD], promised=3)
    await b.add_item(
        code=HUKOU,
        department="GA",
        materials=[ID_CARD, {"name": "出生医学证明", "required": True}],
        promised=5,
    )
    await b.add_item(
        code=YIBAO,
        department="YB",
        materials=third_needs if third_needs is not None else [ID_CARD],
        promised=10,
        delivery=("pickup", "ems"),
    )
    rows = [{"code": "birth", "name": "出生一件事", "items": [BIRTH, HUKOU, YIBAO]}]
    report = await import_bundles(rows)
    assert report.created == 1, report.errors


async def file(api: Api, token: str, **change: Any) -> tuple[int, Any]:
    file_id = await b.upload(api, token)
    body = {
        "form": {"child_name": "张小宝"},
        "materials": [
            {"name": "申请表", "file_id": file_id},
            {"name": "居民身份证", "file_id": file_id},
            {"name": "出生医学证明", "file_id": file_id},
        ],
        "delivery": {"method": "ems", "address": b.ADDRESS},
    } | change
    status, answer, _ = await api.call(
        "POST", "/api/v1/bundles/birth/applications", token=token, json=body
    )
    return status, answer


async def test_the_bundle_lists_its_items_materials_once(api: Api) -> None:
    await birth_bundle()
    status, listed, _ = await api.call("GET", "/api/v1/bundles")
    assert status == 200 and [x["code"] for x in listed] == ["birth"]
    status, one, _ = await api.call("GET", "/api/v1/bundles/birth")
    assert one["items"] == [BIRTH, HUKOU, YIBAO]
    assert [m["name"] for m in one["materials"]] == ["申请表", "居民身份证", "出生医学证明"]
    assert (await api.call("GET", "/api/v1/bundles/nope"))[1]["error"]["code"] == "bundle_not_found"


async def test_a_bundle_whose_third_item_fails_creates_nothing(
    api: Api, wechat: WeChatSandbox
) -> None:
    await birth_bundle(third_needs=[ID_CARD, {"name": "医保参保登记表", "required": True}])
    token = await b.citizen_token(api, wechat)
    status, answer = await file(api, token)
    assert status == 422, answer
    assert answer["error"]["code"] == "missing_material"
    assert answer["error"]["details"]["item_code"] == YIBAO
    assert answer["error"]["details"]["missing"] == ["医保参保登记表"]
    assert await Application.all().count() == 0
    assert await BundleFiling.all().count() == 0 and await CaseNumber.all().count() == 0
    assert await OutboxMessage.all().count() == 0


async def test_a_method_one_item_lacks_is_refused_for_all(api: Api, wechat: WeChatSandbox) -> None:
    await birth_bundle()
    await Application.all().delete()
    await b.add_item(code=YIBAO, department="YB", materials=[ID_CARD], delivery=("pickup",))
    token = await b.citizen_token(api, wechat)
    status, answer = await file(api, token)
    assert status == 422 and answer["error"]["code"] == "delivery_not_offered"
    assert await Application.all().count() == 0


async def test_one_form_makes_a_case_per_department_sharing_the_files(
    api: Api, wechat: WeChatSandbox
) -> None:
    await birth_bundle()
    token = await b.citizen_token(api, wechat)
    status, answer = await file(api, token)
    assert status == 201, answer
    number = answer["bundle_number"]
    assert [a["item_code"] for a in answer["applications"]] == [BIRTH, HUKOU, YIBAO]
    assert {a["status"] for a in answer["applications"]} == {"submitted"}
    cases = await Application.filter(bundle_number=number).order_by("id")
    assert [c.department_code for c in cases] == ["GG", "GA", "YB"]
    assert [c.promised_days for c in cases] == [3, 5, 10]
    assert all(c.form == {"child_name": "张小宝"} for c in cases)
    # the ID card given once is listed on each case, one stored file
    shared = [m["file_id"] for c in cases for m in c.materials if m["name"] == "居民身份证"]
    assert len(shared) == 3 and len(set(shared)) == 1
    assert await Upload.all().count() == 1
    assert [sorted(m["name"] for m in c.materials) for c in cases] == [
        ["居民身份证", "申请表"],
        ["出生医学证明", "居民身份证"],
        ["居民身份证"],
    ]
    # each department's clerk sees it on their own case and can open the one file
    for case, department in zip(cases, ("GG", "GA", "YB"), strict=True):
        clerk = await b.staff_token(api, f"clerk-{department.lower()}", department=department)
        status, view, _ = await api.call(
            "GET", f"/api/v1/staff/applications/{case.number}", token=clerk
        )
        assert status == 200 and view["bundle_number"] == number
        path = f"/api/v1/staff/applications/{case.number}/materials/{shared[0]}"
        assert (await api.call("GET", path, token=clerk))[0] == 200


async def test_one_push_when_the_whole_bundle_is_done(api: Api, wechat: WeChatSandbox) -> None:
    await birth_bundle()
    token = await b.citizen_token(api, wechat)
    status, answer = await file(api, token)
    number = answer["bundle_number"]
    cases = answer["applications"]
    clerks = {}
    for department in ("GG", "GA", "YB"):
        name = f"clerk-{department.lower()}"
        clerks[department] = await b.staff_token(api, name, department=department)

    async def events() -> list[str]:
        return sorted(await OutboxMessage.all().values_list("event", flat=True))  # type: ignore[arg-type]

    assert await events() == []  # no message per item
    # a supplement request still reaches the citizen: they have something to do
    hukou = cases[1]["number"]
    assert (await b.act(api, clerks["GA"], hukou, "request_supplement", note="请补充户口簿"))[
        0
    ] == 200
    assert await events() == ["application.supplement_requested"]
    await Application.filter(number=hukou).update(status="submitted", resume_status=None)
    for case, department in zip(cases, ("GG", "GA", "YB"), strict=True):
        for action in ("accept", "start_review", "approve"):
            status, body = await b.act(api, clerks[department], case["number"], action)
            assert status == 200, body
        done = department == "YB"
        assert ("bundle.completed" in await events()) is done
    assert await events() == ["application.supplement_requested", "bundle.completed"]
    message = await OutboxMessage.get(event="bundle.completed")
    assert message.context["number"] == number and message.context["item_name"] == "出生一件事"
    # a later step of a case (handing the result over) sends nothing more
    await b.act(api, clerks["GG"], cases[0]["number"], "hand_over")
    assert await OutboxMessage.filter(event="bundle.completed").count() == 1

    status, detail, _ = await api.call("GET", f"/api/v1/bundles/applications/{number}", token=token)
    assert status == 200 and detail["completed"] is True
    assert [a["status"] for a in detail["applications"]] == ["collected", "approved", "approved"]
    steps = detail["timeline"]
    assert steps == sorted(steps, key=lambda s: s["at"])
    assert {s["item_code"] for s in steps} == {BIRTH, HUKOU, YIBAO}
    assert sum(1 for s in steps if s["status"] == "approved") == 3
    other = await b.citizen_token(api, wechat)
    path = f"/api/v1/bundles/applications/{number}"
    assert (await api.call("GET", path, token=other))[0] == 404


async def test_the_bundle_import_reports_each_row(api: Api) -> None:
    await birth_bundle()
    rows = [
        {"code": "birth", "name": "出生一件事", "items": [BIRTH, HUKOU, YIBAO]},
        {"code": "food", "name": "开办餐饮店一件事", "items": [BIRTH, "nope"]},
        {"code": "one", "name": "只有一项", "items": [BIRTH]},
        {"code": "retire", "name": "退休一件事", "items": [HUKOU, YIBAO], "extra": 1},
        {"code": "birth2", "name": "出生一件事（新）", "items": [YIBAO, BIRTH]},
    ]
    report = await import_bundles(rows)
    assert report.summary() == "created 1, updated 0, unchanged 1, rejected 3"
    assert {(e.row, e.field) for e in report.errors} == {
        (1, "items[1]"),
        (2, "items"),
        (3, "extra"),
    }
