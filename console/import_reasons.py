"""An import's per-row reasons in Chinese for the console (the CLI prints them as the
importers word them): the catalogue's field names, and its checkers' common reasons; a
reason with no Chinese wording here is shown as written."""

from __future__ import annotations

import re
from collections.abc import Callable

FIELD_NAMES = {
    "row": "整行",
    "code": "事项编码",
    "name": "名称",
    "department": "部门编码",
    "department_name": "部门名称",
    "keywords": "关键词",
    "kind": "事项类型",
    "audience": "服务对象",
    "conditions": "受理条件",
    "materials": "申请材料",
    "process": "办理流程",
    "legal_days": "法定时限",
    "promised_days": "承诺时限",
    "fee": "收费",
    "no_visit": "零跑动",
    "delivery": "送达方式",
    "rules": "秒批规则",
    "required": "是否必需",
    "license_type": "电子证照类型",
    "question": "问题",
    "answer": "答案",
    "items": "事项",
    "subject": "判断对象",
    "op": "比较方式",
    "value": "比较值",
}
_REASONS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (r"is required", "必须填写"),
        (r"unknown field", "不是可识别的字段"),
        (r"must be a string", "应为文字"),
        (r"must be a non-empty string", "应为非空文字"),
        (r"must not be empty", "不能为空"),
        (r"must be at most (\d+) characters", r"最多 \1 个字"),
        (r"must have at most (\d+) entries", r"最多 \1 项"),
        (r"must be true or false", "应为是（true）或否（false）"),
        (r"must be a whole number of working days", "应为整数个工作日"),
        (r"must be between (\d+) and (\d+)", r"应在 \1 到 \2 之间"),
        (r"must be a list", "应为列表"),
        (r"must be a JSON object", "应为 JSON 对象"),
        (r"must not exceed legal_days", "不能超过法定时限"),
        # the importer counts rows from 0, the console's results from 1
        (
            r"duplicate code: already in row (\d+)",
            lambda m: f"编码重复：与第 {int(m[1]) + 1} 行相同",
        ),
        (
            r"must name at least one of 'ems', 'pickup'",
            "至少选择 ems（邮寄）或 pickup（窗口领取）之一",
        ),
        (r"may contain only 'ems' and 'pickup'", "只能是 ems（邮寄）和 pickup（窗口领取）"),
        (r"must not repeat a method", "送达方式不能重复"),
        (r"material names must be unique within an item", "同一事项的材料名称不能重复"),
    )
)


def field_name(field: str) -> str:
    """``materials[0].name`` -> 申请材料[0].名称: each word the table knows, the rest as is."""
    return re.sub(r"[a-z_]+", lambda m: FIELD_NAMES.get(m.group(0), m.group(0)), field)


def reason_text(reason: str) -> str:
    for pattern, chinese in _REASONS:
        if pattern.fullmatch(reason):
            return pattern.sub(chinese, reason)
    return reason


def explained(field: str, reason: str) -> str:
    return f"{field_name(field)}：{reason_text(reason)}"
