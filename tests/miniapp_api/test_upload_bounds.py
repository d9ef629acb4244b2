"""Uploads and materials are bounded (issue 13, 6): uploads a minute and bytes a day per
citizen, files no case lists removed after a day, at most 50 materials a case, no
duplicates."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from citysvc.worker import jobs
from core.cases.models import Application
from core.cases.submission import MAX_MATERIALS
from core.errors import UploadQuotaExceeded
from core.uploads.models import Upload
from core.uploads.service import path_of, remove_orphans, save_upload
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

ITEM = "320112-000-XK-00001"


def _root(api: Api) -> Path:
    return Path(api.server.app.ctx.services.settings.upload_dir)


async def _upload(api: Api, token: str) -> int:
    form = aiohttp.FormData()
    form.add_field("file", b.PDF, filename="x.pdf", content_type="application/pdf")
    return (await api.call("POST", "/api/v1/uploads", token=token, data=form))[0]


async def _file(api: Api, token: str, materials: list[dict[str, str]]) -> tuple[int, Any]:
    body = {"item_code": ITEM, "materials": materials, "delivery": {"method": "pickup"}}
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    return status, answer


async def test_uploads_a_minute_are_limited(api: Api, wechat: WeChatSandbox) -> None:
    token = await b.citizen_token(api, wechat)
    statuses = sorted(await asyncio.gather(*(_upload(api, token) for _ in range(40))))
    assert statuses == [201] * 20 + [429] * 20
    assert await Upload.all().count() == 20
    other = await b.citizen_token(api, wechat)  # per citizen: someone else still uploads
    assert await _upload(api, other) == 201


async def test_bytes_a_day_are_limited(api: Api, wechat: WeChatSandbox) -> None:
    await _bytes_a_day(api, wechat)


async def test_bytes_a_day_are_limited_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    await _bytes_a_day(pg_api, wechat)


async def test_orphans_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    await test_files_no_case_lists_are_removed_after_a_day(pg_api, wechat)


async def _bytes_a_day(api: Api, wechat: WeChatSandbox) -> None:
    owner = (await b.me(api, await b.citizen_token(api, wechat)))["id"]
    now, quota = api.clock.now(), 3 * len(b.PDF)
    for _ in range(3):
        await save_upload(_root(api), owner, b.PDF, now, daily_bytes=quota)
    with pytest.raises(UploadQuotaExceeded):
        await save_upload(_root(api), owner, b.PDF, now, daily_bytes=quota)
    later = now + timedelta(days=1, seconds=1)  # the 24-hour window has moved on
    await save_upload(_root(api), owner, b.PDF, later, daily_bytes=quota)


async def test_files_no_case_lists_are_removed_after_a_day(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    kept, orphan = await b.upload(api, token), await b.upload(api, token)
    listed = [{"name": "申请表", "file_id": kept}, {"name": "居民身份证", "file_id": kept}]
    status, answer = await _file(api, token, listed)
    assert status == 201, answer
    assert await remove_orphans(_root(api), api.clock.now() + timedelta(hours=23)) == 0
    # a day on, the unlisted file may no longer be listed; an hour after that it is removed
    api.clock.advance(hours=24, minutes=1)
    status, answer = await _file(api, token, [{"name": "申请表", "file_id": orphan}])
    assert (status, answer["error"]["code"]) == (422, "unknown_file")
    assert await remove_orphans(_root(api), api.clock.now() + timedelta(hours=1)) == 1
    assert not path_of(_root(api), orphan).exists() and path_of(_root(api), kept).exists()
    assert list(await Upload.all().values_list("id", flat=True)) == [kept]
    assert "uploads.orphans" in {job.name for job in jobs()}  # the worker runs it


async def test_materials_are_capped_and_not_repeated(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    token = await b.citizen_token(api, wechat)
    owner = (await b.me(api, token))["id"]
    file_id = await b.upload(api, token)
    status, answer = await _file(api, token, [{"name": "申请表", "file_id": file_id}] * 100_000)
    assert (status, answer["error"]["code"]) == (422, "too_many_materials")
    status, answer = await _file(api, token, [{"name": "申请表", "file_id": file_id}] * 2)
    assert (status, answer["error"]["code"]) == (422, "duplicate_material")
    assert await Application.all().count() == 0
    now = api.clock.now()
    ids = [(await save_upload(_root(api), owner, b.PDF, now)).id for _ in range(MAX_MATERIALS)]
    most = [{"name": "居民身份证", "file_id": file_id}] + [
        {"name": "申请表", "file_id": i} for i in ids[1:]
    ]
    status, answer = await _file(api, token, most)
    assert status == 201 and len(most) == MAX_MATERIALS == 50, answer
    # one more is too many
    status, answer = await _file(api, token, [*most, {"name": "申请表", "file_id": ids[0]}])
    assert (status, answer["error"]["code"]) == (422, "too_many_materials")
