"""What the bot says, in one place (so wording can be reviewed without reading code);
byte limits of the platforms are `bot.utf8`."""

from __future__ import annotations

WELCOME = (
    "您好，欢迎关注江都区政务服务！我可以帮您：\n"
    "1. 查办件进度：发送「进度 办件号」，如「进度 20261126-000123-7」；只发「进度」可看最近的办件\n"
    "2. 绑定账号：在小程序「我的」页面获取6位绑定码，发送「绑定 123456」\n"
    "3. 订阅资讯：发送「订阅 中考成绩」，取消发送「退订 中考成绩」；发送「订阅」查看全部主题\n"
    "4. 政务咨询：直接输入问题，如「身份证丢了怎么补办」\n"
    "5. 转人工：发送「人工」，工作人员将在1个工作日内答复\n"
    "办事请拨打12345政务服务便民热线。"
)
NOT_TEXT = "目前只能识别文字消息，请直接输入您的问题，或发送「帮助」查看我能做什么。"
BUSY = "系统繁忙，请稍后再试，或拨打12345政务服务便民热线。"

NEED_BINDING = (
    "为保护您的信息，查询前需要先绑定：请在小程序「我的」页面获取6位绑定码，"
    "然后在这里发送「绑定 绑定码」（10分钟内有效）。"
)
BIND_USAGE = "请发送「绑定」加小程序中显示的6位绑定码，例如「绑定 123456」。"
BIND_DONE = "绑定成功！现在可以发送「进度」查询您的办件，或发送「订阅」订阅资讯。"
BIND_INVALID = "绑定码无效或已过期，请在小程序「我的」页面重新获取。"
BIND_TOO_MANY = "尝试次数过多，请10分钟后再试。"

CASE_NOT_FOUND = "没有找到您名下的办件「{number}」，请核对办件号（格式如 20261126-000123-7）。"
NO_CASES = "您名下还没有办件。可在小程序中搜索事项并在线申请。"
RECENT_CASES = "您最近的办件：\n{lines}\n发送「进度 办件号」查看详情。"
CASE_STATUS = "办件号：{number}\n事项：{item}\n当前状态：{status}"
CASE_DUE = "承诺办结日期：{due}{provisional}"
CASE_SUPPLEMENT = "请在小程序「我的办件」中按要求补正材料，补正期间办理时限暂停计算。"

TOPICS = "可订阅的主题（✓ 为已订阅）：\n{lines}\n发送「订阅 主题名」订阅，「退订 主题名」取消。"
TOPIC_UNKNOWN = "没有「{name}」这个主题。" + TOPICS
SUBSCRIBED = "已订阅「{name}」。有新消息时将通过小程序消息提醒您，请在小程序中允许接收通知。"
ALREADY_SUBSCRIBED = "您已订阅「{name}」。"
UNSUBSCRIBED = "已退订「{name}」。"
NOT_SUBSCRIBED = "您没有订阅「{name}」。"

CHOICES = "您是不是想问：\n{choices}\n回复序号查看答案；都不是请回复「人工」转工作人员。"
NO_MATCH = (
    "抱歉，暂时没有找到相关答案。回复「人工」，我们将把您的问题转交工作人员，"
    "在1个工作日内答复您；也可拨打12345政务服务便民热线。"
)
RELATED = "相关事项：{items}（可在小程序中搜索在线办理）"
HANDOFF_NEEDS_QUESTION = "请先发送您要咨询的问题，再回复「人工」。"
HANDOFF_DONE = "已为您转人工服务（工单号 {ticket}），工作人员将在1个工作日内通过本公众号答复您。"
