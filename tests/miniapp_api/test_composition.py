"""The API's composition root: everything built once at start, handlers build nothing."""

from __future__ import annotations

from core.clock import FrozenClock
from core.ports import NoLicences
from integrations.topics.sandbox import SandboxTopicFeeds
from miniapp_api.app import create_app
from miniapp_api.server import start_server
from tests import harness

OA = {
    "WECHAT_OA_APPID": "wxoa0000000000001",
    "WECHAT_OA_TOKEN": "oatoken",
    "WECHAT_OA_SECRET": "oa-secret",
}


async def test_the_root_builds_the_bot_feeds_and_one_official_account_client(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> None:
    settings = harness.settings_for(database_url, **platform_env, **OA)
    app = create_app(settings, clock=clock)
    app.config.TOUCHUP = False
    server = await start_server(app)
    try:
        ctx = app.ctx
        oa_client = ctx.services.platforms.official_account_client
        assert ctx.bot is not None and oa_client is not None
        assert ctx.bot.follow_ups.client is oa_client  # one client for the bot and the sender
        assert isinstance(ctx.topic_feeds, SandboxTopicFeeds)  # TOPIC_FEEDS_BASE unset
        # no e-licence registry connected: nothing is found, and no sandbox stands in
        assert isinstance(ctx.licences, NoLicences)
        assert ctx.services.cases.licences is ctx.licences
    finally:
        await server.stop()
