"""Assemble the Official Account bot from settings and the process's shared clients."""

from __future__ import annotations

from bot.accounts import Accounts, OaUserInfo
from bot.conversation import Conversation
from bot.knowledge import KnowledgeBase, KnowledgeDesk
from bot.official_account import FollowUps, OfficialAccountBot
from core.pii import PiiCipher
from core.ports import Clock, SharedState
from core.settings import OfficialAccount
from integrations.wechat.client import WeChatClient

# One index per process whatever the number of apps built (tests build many).
_KNOWLEDGE = KnowledgeBase()


def build_bot(
    account: OfficialAccount,
    clock: Clock,
    state: SharedState,
    cipher: PiiCipher,
    client: WeChatClient | None,
) -> OfficialAccountBot:
    """The bot for ``account``; ``client`` is the Official Account's server API (the process's
    one, ``Platforms.official_account_client``), None when its secret is not configured."""
    accounts = Accounts(
        account.appid, clock, cipher, state, OaUserInfo(client) if client is not None else None
    )
    desk = KnowledgeDesk(account.appid, clock, state, _KNOWLEDGE)
    return OfficialAccountBot(
        account.appid,
        account.token,
        account.aes_key,
        Conversation(clock, accounts, desk),
        FollowUps(account.appid, clock, client),
        state,
        clock,
    )
