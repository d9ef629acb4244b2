"""The navigation bar: each link names the roles that see it, in the order shown.

A page module that adds a section appends its ``Link`` here (``console/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

CLERK, SUPERVISOR, PUBLICITY, ADMIN = "clerk", "supervisor", "publicity", "admin"
CASE_READERS = (CLERK, SUPERVISOR, ADMIN)
ROLE_NAMES = {
    CLERK: "窗口工作人员",
    SUPERVISOR: "督查人员",
    PUBLICITY: "宣传人员",
    ADMIN: "系统管理员",
}


@dataclass(frozen=True)
class Link:
    label: str
    path: str
    roles: tuple[str, ...]


NAV: list[Link] = [
    Link("办件队列", "/console/cases", CASE_READERS),
    Link("预警", "/console/warnings", CASE_READERS),
    Link("超期办件", "/console/cases?overdue=1", (SUPERVISOR, ADMIN)),
    Link("差评申诉", "/console/appeals", (SUPERVISOR, ADMIN)),
    Link("差评整改", "/console/rectifications", (CLERK,)),
    Link("群众意见", "/console/feedback", (CLERK, ADMIN)),
    Link("宣传活动", "/console/campaigns", (PUBLICITY, ADMIN)),
    Link("免申即享", "/console/policies", (PUBLICITY, SUPERVISOR, ADMIN)),
    Link("数据看板", "/console/figures", (CLERK, SUPERVISOR, PUBLICITY, ADMIN)),
    Link("工作人员", "/console/admin/staff", (ADMIN,)),
    Link("事项目录", "/console/admin/catalogue", (ADMIN,)),
    Link("工作日调整", "/console/admin/calendar", (ADMIN,)),
    Link("知识库", "/console/admin/knowledge", (ADMIN,)),
    Link("企业微信机器人", "/console/admin/robots", (ADMIN,)),
    Link("访问日志", "/console/admin/access-log", (ADMIN,)),
]

# where each role lands after signing in
HOME = {
    CLERK: "/console/cases",
    SUPERVISOR: "/console/warnings",
    ADMIN: "/console/admin/staff",
    PUBLICITY: "/console/campaigns",
}


def links_for(role: str) -> list[Link]:
    return [link for link in NAV if role in link.roles]
