"""The console's Chinese words for the domain's codes: states, actions, events, channels.

The state and action words are fixed for the people who use them (README, "Staff console").
"""

from __future__ import annotations

from datetime import date, datetime

from core.clock import CST

STATUS_NAMES = {
    "submitted": "已提交",
    "accepted": "已受理",
    "refused": "不予受理",
    "supplement_requested": "待补正",
    "under_review": "审查中",
    "suspended": "已中止",
    "approved": "已批准",
    "denied": "不予批准",
    "result_mailed": "已寄出",
    "delivered": "已送达",
    "collected": "已领取",
    "withdrawn": "已撤回",
}
ACTION_LABELS = {
    "accept": "受理",
    "refuse": "不予受理",
    "request_supplement": "要求补正",
    "start_review": "开始审查",
    "approve": "批准",
    "deny": "不予批准",
    "suspend": "中止",
    "resume": "恢复",
    "extend": "延期",
    "hand_over": "窗口领取",
    "revoke_instant": "撤销秒批",
    "ship": "邮寄",
    "deliver": "签收",
    "submit": "提交申请",
    "supplement": "补正材料",
    "withdraw": "撤回申请",
    "instant_approve": "秒批通过",
    "instant_check": "秒批核验",
}
MESSAGE_STATUSES = {
    "queued": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
    "no_consent": "未订阅",
    "no_channel": "无可用渠道",
}
CHANNELS = {
    "wechat": "微信订阅消息",
    "alipay": "支付宝模板消息",
    "official_account": "公众号模板消息",
    "sms": "短信",
}
EVENT_SUFFIXES = {"extended": "办理期限延长", "delivery_failed": "邮件投递异常"}


def status_name(code: str | None) -> str:
    return STATUS_NAMES.get(code or "", code or "")


def days_left(left: int | None, colour: str | None = None) -> str:
    """Working days left before the promised date, as the queue and the case page say it
    (``colour`` red without a negative count: due earlier today, already past)."""
    if left is None:
        return "—"
    if left < 0:
        return f"已超期 {-left} 个工作日"
    if colour == "red":
        return "已超期"
    if left == 0:
        return "今天到期"
    return f"{left} 个工作日"


def event_name(event: str) -> str:
    kind, _, what = event.partition(".")
    if kind == "application":
        return EVENT_SUFFIXES.get(what) or f"办件{status_name(what)}"
    return EVENT_SUFFIXES.get(what, event)


def message_status(code: str) -> str:
    return MESSAGE_STATUSES.get(code, code)


def channel_name(code: str | None) -> str:
    return CHANNELS.get(code or "", code or "—")


def time_text(value: object) -> str:
    """An ISO time or a datetime as China time, ``2026-05-06 14:03``; a date as ``2026-05-06``."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            parsed: date = (
                datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
            )
        except ValueError:
            return value
        value = parsed
    if isinstance(value, datetime):
        return value.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def actor_name(actor: str) -> str:
    """Who did a step, as the audit trail stores it (``staff:NAME``, ``citizen:ID``, ...)."""
    kind, _, who = actor.partition(":")
    if kind == "staff":
        return who
    if kind == "citizen":
        return "申请人"
    if kind == "agent":
        return "代办人"
    if actor == "system:instant":
        return "系统（秒批）"
    return "系统"


RULE_SUBJECTS = {"age": "年龄", "township": "所在镇街", "licence": "电子证照"}
RULE_OPS = {
    "eq": "等于",
    "ne": "不等于",
    "lt": "小于",
    "le": "不大于",
    "gt": "大于",
    "ge": "不小于",
    "in": "属于",
    "held": "已持有",
    "not_held": "未持有",
}


def rule_text(text: str) -> str:
    """A rule as ``core.rules`` writes it (``form.收入 lt 3000``) in the clerk's words."""
    subject, _, rest = text.partition(" ")
    op, _, value = rest.partition(" ")
    if subject.startswith("form."):
        subject = "申请表“" + subject[5:] + "”"
    else:
        subject = RULE_SUBJECTS.get(subject, subject)
    return " ".join(part for part in (subject, RULE_OPS.get(op, op), value) if part)
