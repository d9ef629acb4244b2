"""The Official Account conversation: commands first, then the knowledge base.

``进度 [办件号]`` answers only about the SENDER's own cases (filed as the applicant, looked up
by the citizen the sender is linked to); another citizen's number gets the same "not found"
as a number that does not exist. ``绑定 123456`` links the sender to a citizen, ``订阅`` /
``退订`` manage topics, ``人工`` hands the last question to staff, ``1``-``3`` pick a choice,
and anything else is matched against the knowledge base.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import replies
from bot.accounts import Accounts
from bot.knowledge import KnowledgeDesk, item_names
from core.cases.machine import NOTICES
from core.cases.models import Application
from core.cases.numbers import is_valid_number
from core.ports import Clock
from core.topics import service as topics
from core.topics.catalog import TOPICS, find_topic

RECENT = 3
_HELP = re.compile(r"(帮助|help|\?|菜单|你好|您好|hi|hello)")
_PROGRESS = re.compile(r"(?:查询|查)?进度(?:查询)?\s*:?\s*([0-9Xx\- ]*)")
_BIND = re.compile(r"绑定\s*:?\s*([0-9 ]*)")
_SUBSCRIBE = re.compile(r"订阅\s*(.*)")
_UNSUBSCRIBE = re.compile(r"(?:退订|取消订阅)\s*(.*)")
_HANDOFF = re.compile(r"(?:转)?人工(?:客服|服务)?")
_PICK = re.compile(r"[1-9]")


@dataclass(frozen=True)
class Inbound:
    """A push reduced to what the conversation needs."""

    open_id: str
    kind: str  # "text", "event" or "other"
    content: str = ""
    event: str = ""


Handler = Callable[[str, str], Awaitable[str]]


def _fold(text: str) -> str:
    # full-width digits, colons and letters typed on phones become their ASCII forms
    return unicodedata.normalize("NFKC", text).strip()


class Conversation:
    """Replies to one Official Account's users. ``desk`` and ``cases`` are replaceable."""

    def __init__(self, clock: Clock, accounts: Accounts, desk: KnowledgeDesk) -> None:
        self._clock = clock
        self.accounts = accounts
        self.desk = desk
        self.cases: CaseDesk = CaseDesk()
        self._commands: list[tuple[re.Pattern[str], Handler]] = [
            (_PROGRESS, self._progress),
            (_BIND, self._bind),
            (_UNSUBSCRIBE, self._unsubscribe),
            (_SUBSCRIBE, self._subscribe),
        ]

    async def reply(self, msg: Inbound) -> str | None:
        """The text to answer with, or None to answer nothing."""
        if msg.kind == "event":
            return replies.WELCOME if msg.event == "subscribe" else None
        if msg.kind != "text":
            return replies.NOT_TEXT
        text = _fold(msg.content)
        if not text or _HELP.fullmatch(text.lower()):
            return replies.WELCOME
        for pattern, handler in self._commands:
            match = pattern.fullmatch(text)
            if match:
                return await handler(msg.open_id, _fold(match[1]))
        if _HANDOFF.fullmatch(text):
            citizen = await self.accounts.citizen_of(msg.open_id)
            return await self.desk.hand_off(msg.open_id, citizen)
        if _PICK.fullmatch(text):
            picked = await self.desk.pick(msg.open_id, int(text))
            if picked is not None:
                return picked
        # the user's own wording goes on (matching folds it; a ticket keeps it as typed)
        return await self.desk.answer(msg.open_id, msg.content.strip())

    async def _progress(self, open_id: str, number: str) -> str:
        citizen = await self.accounts.citizen_of(open_id)
        if citizen is None:
            return replies.NEED_BINDING
        if not number:
            return await self.cases.recent(citizen)
        return await self.cases.status(citizen, number.upper().replace(" ", ""))

    async def _bind(self, open_id: str, code: str) -> str:
        if not code:
            return replies.BIND_USAGE
        outcome = await self.accounts.bind(open_id, code.replace(" ", ""))
        return {
            "linked": replies.BIND_DONE,
            "too_many": replies.BIND_TOO_MANY,
        }.get(outcome, replies.BIND_INVALID)

    async def _topic_list(self, citizen: str) -> str:
        mine = await topics.subscribed_keys(citizen)
        return "\n".join(f"{'✓' if t.key in mine else '·'} {t.name}" for t in TOPICS)

    async def _subscribe(self, open_id: str, name: str) -> str:
        return await self._follow(open_id, name, follow=True)

    async def _unsubscribe(self, open_id: str, name: str) -> str:
        return await self._follow(open_id, name, follow=False)

    async def _follow(self, open_id: str, name: str, *, follow: bool) -> str:
        """订阅 / 退订: the sender must be linked; an unknown topic lists the topics."""
        citizen = await self.accounts.citizen_of(open_id)
        if citizen is None:
            return replies.NEED_BINDING
        topic = find_topic(name)
        if topic is None:
            lines = await self._topic_list(citizen)
            return (replies.TOPIC_UNKNOWN if name else replies.TOPICS).format(
                name=name, lines=lines
            )
        if follow:
            added = await topics.subscribe(citizen, topic.key, self._clock.now())
            return (replies.SUBSCRIBED if added else replies.ALREADY_SUBSCRIBED).format(
                name=topic.name
            )
        removed = await topics.unsubscribe(citizen, topic.key)
        return (replies.UNSUBSCRIBED if removed else replies.NOT_SUBSCRIBED).format(name=topic.name)


class CaseDesk:
    """Case answers for a citizen: only cases the citizen applied for themselves."""

    async def status(self, citizen_id: str, number: str) -> str:
        case = None
        if is_valid_number(number):
            case = await Application.get_or_none(number=number, citizen_id=citizen_id)
        if case is None:
            return replies.CASE_NOT_FOUND.format(number=number[:40])
        names = await item_names([case.item_code])
        lines = [
            replies.CASE_STATUS.format(
                number=case.number,
                item=names.get(case.item_code, case.item_code),
                status=NOTICES.get(case.status, case.status),
            )
        ]
        if case.due_date is not None and case.status not in ("supplement_requested",):
            provisional = "（暂定）" if case.due_provisional else ""
            due = f"{case.due_date:%Y年%m月%d日}"
            lines.append(replies.CASE_DUE.format(due=due, provisional=provisional))
        if case.status == "supplement_requested":
            lines.append(replies.CASE_SUPPLEMENT)
        return "\n".join(lines)

    async def recent(self, citizen_id: str) -> str:
        cases = await Application.filter(citizen_id=citizen_id).order_by("-id").limit(RECENT)
        if not cases:
            return replies.NO_CASES
        names = await item_names([c.item_code for c in cases])
        lines = [
            f"{c.number} {names.get(c.item_code, c.item_code)}：{NOTICES.get(c.status, c.status)}"
            for c in cases
        ]
        return replies.RECENT_CASES.format(lines="\n".join(lines))
