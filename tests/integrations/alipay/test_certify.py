"""Face verification: initialize, the signed certify URL, query."""

from __future__ import annotations

import aiohttp
import pytest

from integrations.alipay.client import CERTIFY_QUERY, AlipayClient
from integrations.alipay.keys import KeyPair
from integrations.alipay.sandbox import AlipaySandbox
from integrations.errors import Permanent
from tests.integrations.alipay.conftest import OTHER_APPID, MakeClient

NAME = "张三"
ID_NUMBER = "11010519491231002X"
RETURN_URL = "alipays://platformapi/startapp?appId=2021000000000001"


async def _initialize(client: AlipayClient, order: str = "CS20260101000001") -> str:
    return await client.certify_initialize(order, NAME, ID_NUMBER, RETURN_URL)


async def test_certification_that_passes(
    sandbox: AlipaySandbox, client: AlipayClient, session: aiohttp.ClientSession
) -> None:
    certify_id = await _initialize(client)
    url = await client.certify_url(certify_id)
    async with session.get(url) as page:
        assert page.status == 200
        assert certify_id in await page.text()
    assert await client.certify_query(certify_id) is False  # not finished yet

    sandbox.complete_certify(certify_id, passed=True)

    assert await client.certify_query(certify_id) is True
    held = sandbox.certification(certify_id)
    assert (held.cert_name, held.cert_no, held.opened) == (NAME, ID_NUMBER, True)


async def test_certification_that_fails(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    certify_id = await _initialize(client)

    sandbox.complete_certify(certify_id, passed=False)

    assert await client.certify_query(certify_id) is False


async def test_certify_url_is_signed(
    sandbox: AlipaySandbox, client: AlipayClient, session: aiohttp.ClientSession
) -> None:
    certify_id = await _initialize(client)
    url = await client.certify_url(certify_id)
    forged = url.replace(certify_id, await _initialize(client, "CS20260101000002"))

    async with session.get(forged) as answer:
        body = await answer.json(content_type=None)

    node = body["alipay_user_certify_open_certify_response"]
    assert (node["code"], node["sub_code"]) == ("40002", "isv.invalid-signature")


@pytest.mark.parametrize(
    ("order", "id_number"),
    [
        ("CS20260101000001", "110105194912310021"),  # wrong check character
        ("CS20260101000001", "1101051949"),  # too short
        ("X" * 33, ID_NUMBER),  # outer_order_no over 32 characters
    ],
)
async def test_invalid_identity_is_refused(
    client: AlipayClient, order: str, id_number: str
) -> None:
    with pytest.raises(Permanent) as caught:
        await client.certify_initialize(order, NAME, id_number, RETURN_URL)

    assert caught.value.platform_code == "ILLEGAL_ARGUMENT_FORMAT"


async def test_unknown_certify_id(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    with pytest.raises(Permanent) as caught:
        await client.certify_query("0" * 32)

    assert caught.value.platform_code == "OPEN_CERTIFY_BILL_NOT_EXIST"
    assert sandbox.calls[CERTIFY_QUERY] == 1


async def test_another_apps_certification_is_not_visible(
    client: AlipayClient, make_client: MakeClient, other_keys: KeyPair
) -> None:
    other = make_client(appid=OTHER_APPID, private_pem=other_keys.private_pem)
    certify_id = await _initialize(client)

    with pytest.raises(Permanent) as caught:
        await other.certify_query(certify_id)

    assert caught.value.platform_code == "OPEN_CERTIFY_BILL_NOT_EXIST"
