"""The errors of ratings, rectifications and feedback (mapped to HTTP by their bases)."""

from __future__ import annotations

from core.errors import Conflict, InvalidInput, NotFound


class AlreadyRated(Conflict):
    code = "already_rated"
    default_message = "这件办件您已经评价过了，每件办件只能评价一次。"


class NotFinished(Conflict):
    code = "not_finished"
    default_message = "办件办结后才能评价，请在办结后再来评价。"


class AlreadyReplied(Conflict):
    code = "already_replied"
    default_message = "这条意见已经答复过了，请刷新后查看。"


class InvalidLevel(InvalidInput):
    code = "invalid_level"
    default_message = "请在1到5之间选择评价等级（5为非常满意，1为非常不满意）。"


class InvalidDimensions(InvalidInput):
    code = "invalid_dimensions"
    default_message = "分项评价只能是办事效率、指南准确、办理便捷、系统好用，每项1到5分。"


class InvalidFeedbackKind(InvalidInput):
    code = "invalid_feedback_kind"
    default_message = "请选择反馈类型：投诉、建议或纠错。"


class RectificationNotFound(NotFound):
    code = "rectification_not_found"
    default_message = "没有找到这条整改任务，请返回列表刷新后再试。"


class FeedbackNotFound(NotFound):
    code = "feedback_not_found"
    default_message = "没有找到这条意见，请返回列表刷新后再试。"
