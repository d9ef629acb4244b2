"""Template (subscription) messages through the client against the sandbox."""

from __future__ import annotations

import pytest

from integrations.alipay.client import AlipayClient
from integrations.alipay.sandbox import AlipaySandbox
from integrations.alipay.sandbox_methods import NO_CONSENT, UNKNOWN_USER, SentMessage
from integrations.errors import Permanent
from tests.integrations.alipay.conftest import APPID, OTHER_APPID

TEMPLATE = "MDI4YzIxMDE2M2I5YTQzYjUxNWE4MjA4NmU1MTIyYmM="
USER = "074aCITIZEN"
PAGE = "pages/case/detail?id=42"
DATA = {"keyword1": "营业执照变更", "keyword2": "已受理"}


@pytest.fixture
def template(sandbox: AlipaySandbox) -> str:
    sandbox.add_template(TEMPLATE, ["keyword1", "keyword2"])
    sandbox.add_user(APPID, USER)
    return TEMPLATE


async def test_send_spends_one_consent(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    sandbox.grant_consent(USER, template)

    await client.send_template_message(USER, template, PAGE, DATA)

    assert sandbox.sent == [SentMessage(APPID, USER, template, PAGE, DATA)]
    assert sandbox.consents_left(USER, template) == 0
    with pytest.raises(Permanent) as caught:
        await client.send_template_message(USER, template, PAGE, DATA)
    assert caught.value.platform_code == NO_CONSENT


async def test_long_term_consent_allows_many(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    sandbox.grant_consent(USER, template, long_term=True)

    for _ in range(3):
        await client.send_template_message(USER, template, PAGE, DATA)

    assert len(sandbox.sent) == 3


async def test_value_of_50_characters_is_accepted(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    sandbox.grant_consent(USER, template)

    await client.send_template_message(USER, template, PAGE, {**DATA, "keyword1": "办" * 50})

    assert sandbox.sent[0].data["keyword1"] == "办" * 50


async def test_value_of_51_characters_is_refused(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    sandbox.grant_consent(USER, template)

    with pytest.raises(Permanent) as caught:
        await client.send_template_message(USER, template, PAGE, {**DATA, "keyword1": "办" * 51})

    assert caught.value.platform_code == "USER_KEYWORD_LENGTH_ERROR"
    assert caught.value.details["code"] == "40004"
    assert sandbox.consents_left(USER, template) == 1  # a refused send spends nothing


async def test_lacking_keyword_is_refused(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    sandbox.grant_consent(USER, template)

    with pytest.raises(Permanent) as caught:
        await client.send_template_message(USER, template, PAGE, {"keyword1": "营业执照变更"})

    assert caught.value.platform_code == "USER_TEMPLATE_LACK_KEYWORD"


async def test_unknown_template_is_refused(sandbox: AlipaySandbox, client: AlipayClient) -> None:
    sandbox.add_user(APPID, USER)
    sandbox.grant_consent(USER, "UNKNOWN")

    with pytest.raises(Permanent) as caught:
        await client.send_template_message(USER, "UNKNOWN", PAGE, DATA)

    assert caught.value.platform_code == "USER_TEMPLATE_ILLEGAL"


async def test_no_consent_is_refused(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    with pytest.raises(Permanent) as caught:
        await client.send_template_message(USER, template, PAGE, DATA)

    assert caught.value.platform_code == NO_CONSENT
    assert sandbox.sent == []


async def test_only_open_ids_issued_to_this_app_are_reached(
    sandbox: AlipaySandbox, client: AlipayClient, template: str
) -> None:
    """An open_id is per app: one the sandbox never issued, or issued to another app, is
    refused before consent or template are even looked at (a sloppy client or test that
    makes up open_ids fails here, as it would on Alipay)."""
    made_up = "0" + "7" * 32
    other_apps = sandbox.add_user(OTHER_APPID)
    for stranger in (made_up, other_apps):
        sandbox.grant_consent(stranger, template)
        with pytest.raises(Permanent) as caught:
            await client.send_template_message(stranger, template, PAGE, DATA)
        assert caught.value.platform_code == UNKNOWN_USER
        assert sandbox.consents_left(stranger, template) == 1
    assert sandbox.sent == []
    code = sandbox.issue_auth_code(APPID)  # what a login gives: an open_id of this app
    logged_in = sandbox.state.codes[code].open_id
    sandbox.grant_consent(logged_in, template)
    await client.send_template_message(logged_in, template, PAGE, DATA)
    assert [m.to for m in sandbox.sent] == [logged_in]
    with pytest.raises(ValueError, match="another app"):
        sandbox.add_user(APPID, other_apps)
