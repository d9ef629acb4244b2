"""The case state machine of docs/api.md, as data: who may move a case from where to where."""

from __future__ import annotations

from core.errors import InvalidTransition

STAFF_ACTIONS = (
    "accept",
    "refuse",
    "request_supplement",
    "start_review",
    "approve",
    "deny",
    "suspend",
    "resume",
    "extend",
    "hand_over",
    "revoke_instant",
)

TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "accept"): "accepted",
    ("submitted", "refuse"): "refused",
    ("submitted", "request_supplement"): "supplement_requested",
    ("accepted", "start_review"): "under_review",
    ("under_review", "approve"): "approved",
    ("under_review", "deny"): "denied",
    ("under_review", "suspend"): "suspended",
    ("under_review", "request_supplement"): "supplement_requested",
    ("under_review", "extend"): "under_review",
    ("suspended", "resume"): "under_review",
    ("approved", "hand_over"): "collected",
    # a clerk takes back an instant approval (秒批) within the window: a clerk reviews it
    ("approved", "revoke_instant"): "under_review",
    ("denied", "hand_over"): "collected",
    ("approved", "ship"): "result_mailed",
    ("denied", "ship"): "result_mailed",
    ("result_mailed", "deliver"): "delivered",
    ("submitted", "withdraw"): "withdrawn",
    ("supplement_requested", "withdraw"): "withdrawn",
    # ("supplement_requested", "supplement") returns to the state before the request
}

# states in which the promised-days clock stands still (waiting for the citizen, or suspended)
PAUSED = frozenset({"supplement_requested", "suspended"})
# states whose deadline no longer matters
CLOSED = frozenset(
    {"refused", "approved", "denied", "result_mailed", "delivered", "collected", "withdrawn"}
)

NOTICES = {
    "submitted": "申请已提交，等待受理",
    "accepted": "申请已受理",
    "refused": "申请不予受理",
    "supplement_requested": "请补正材料",
    "under_review": "正在审查",
    "approved": "审批通过",
    "denied": "审批未通过",
    "suspended": "审查中止（特别程序）",
    "result_mailed": "办理结果已通过EMS寄出",
    "delivered": "办理结果已签收",
    "collected": "办理结果已领取",
    "withdrawn": "申请已撤回",
}


def next_status(status: str, action: str, resume_status: str | None = None) -> str:
    """The state ``action`` leads to from ``status``; InvalidTransition when not allowed."""
    if action == "supplement" and status == "supplement_requested" and resume_status:
        return resume_status
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise InvalidTransition(
            f"'{action}' is not allowed while the case is '{status}'.",
            details={"status": status, "action": action},
        )
    return target
