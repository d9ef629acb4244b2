"""The citizen's and the department's case lists: paged as every list is, newest first."""

from __future__ import annotations

from core.cases.models import Application
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


async def many_cases(api: Api, wechat: WeChatSandbox, count: int) -> tuple[str, str, list[str]]:
    """``count`` cases of one citizen in the clerk's department, oldest first: one filed
    through the API, the rest copies of it (only the lists are under test)."""
    await b.add_item()
    citizen = await b.citizen_token(api, wechat)
    clerk = await b.staff_token(api, "clerk1")
    first = await Application.get(number=await b.file_case(api, citizen))
    numbers = [first.number]
    for i in range(count - 1):
        copy = first.clone()
        copy.number = f"COPY-{i:04d}"
        await copy.save()
        numbers.append(copy.number)
    return citizen, clerk, numbers


async def test_both_lists_are_paged_with_a_total(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, numbers = await many_cases(api, wechat, 101)
    newest_first = numbers[::-1]
    for path, token in (("/api/v1/applications", citizen), ("/api/v1/staff/applications", clerk)):
        status, page1, resp = await api.call("GET", path, token=token)
        assert status == 200 and "X-Total-Count" not in resp.headers
        assert page1["total"] == 101
        assert [c["number"] for c in page1["items"]] == newest_first[:20]
        _, page2, _ = await api.call("GET", f"{path}?page=2", token=token)
        assert [c["number"] for c in page2["items"]] == newest_first[20:40]
        _, big, _ = await api.call("GET", f"{path}?page=2&per_page=100", token=token)
        assert [c["number"] for c in big["items"]] == newest_first[100:]
        _, past, _ = await api.call("GET", f"{path}?page=3&per_page=100", token=token)
        assert past == {"items": [], "total": 101}
        for bad in ("0", "-1", "x", "1.5"):
            status, body, _ = await api.call("GET", f"{path}?page={bad}", token=token)
            assert (status, body["error"]["details"]) == (422, {"field": "page"}), bad
        for bad in ("0", "101", "x"):
            status, body, _ = await api.call("GET", f"{path}?per_page={bad}", token=token)
            assert (status, body["error"]["details"]) == (422, {"field": "per_page"}), bad


async def test_overdue_takes_true_or_false_only(api: Api, wechat: WeChatSandbox) -> None:
    clerk = await b.staff_token(api, "clerk1")
    for value in ("true", "false", "1", "0", "yes", "no", "TRUE"):
        path = f"/api/v1/staff/applications?overdue={value}"
        assert (await api.call("GET", path, token=clerk))[0] == 200, value
    status, body, _ = await api.call("GET", "/api/v1/staff/applications?overdue=maybe", token=clerk)
    assert (status, body["error"]["details"]) == (422, {"field": "overdue"})
