"""The upload form: exactly one file a request, and what the answer says about it."""

from __future__ import annotations

import aiohttp

from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


async def test_one_file_per_upload_and_the_answer_names_type_and_size(
    api: Api, wechat: WeChatSandbox
) -> None:
    token = await b.citizen_token(api, wechat)
    form = aiohttp.FormData()
    form.add_field("file", b.PDF, filename="a.pdf")
    form.add_field("file", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, filename="b.png")
    status, body, _ = await api.call("POST", "/api/v1/uploads", token=token, data=form)
    assert (status, body["error"]["code"]) == (422, "one_file_only")
    form = aiohttp.FormData()
    form.add_field("file", b.PDF, filename="scan.png")  # the name says PNG, the bytes PDF
    status, body, _ = await api.call("POST", "/api/v1/uploads", token=token, data=form)
    assert status == 201
    assert (body["content_type"], body["size"]) == ("application/pdf", len(b.PDF))
