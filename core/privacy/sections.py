"""The core's own sections of a citizen's data export: identity, cases, uploads, agents,
topics, the Official Account link and hand-off questions. Identity stays masked, as on
every other answer; a case shows what its owner sees of it."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from core.campaigns import towns
from core.campaigns.towns import town_of
from core.cases import forgetting as cases_forgetting
from core.cases.models import AgentAuthorization, Application, AuditEntry
from core.cases.views import render_timeline
from core.followers import links
from core.followers.models import OaLink
from core.identity.profile import profile
from core.knowledge.models import HandoffTicket
from core.privacy.registry import PersonalData, Subject
from core.topics import service as topics_service
from core.topics.models import TopicSubscription
from core.uploads.models import Upload


def _at(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def identity(subject: Subject) -> dict[str, Any]:
    shown = await profile(subject.cipher, subject.citizen)
    return shown | {
        "created_at": _at(subject.citizen.created_at),
        "town": await town_of(subject.id),
    }


async def applications(subject: Subject) -> list[dict[str, Any]]:
    cases = await Application.filter(citizen_id=subject.id).order_by("id")
    return [await _case(case) for case in cases]


async def _case(case: Application) -> dict[str, Any]:
    timeline: Any = case.citizen_timeline
    if timeline is None:  # filed before the stored timeline (migration 0004)
        entries = await AuditEntry.filter(application_id=case.id).order_by("seq")
        timeline = render_timeline([(e.action, e.to_status, e.note, e.at) for e in entries])
    return {
        "number": case.number,
        "item_code": case.item_code,
        "status": case.status,
        "created_at": _at(case.created_at),
        "due_date": _at(case.due_date),
        "agent_filed": case.agent_id is not None,
        "materials": [{"name": m.get("name")} for m in case.materials],
        "delivery": {"method": case.delivery_method, "address": case.delivery_address_masked},
        "timeline": timeline,
    }


async def uploads(subject: Subject) -> list[dict[str, Any]]:
    rows = await Upload.filter(owner_id=subject.id).order_by("created_at")
    return [
        {"file_id": u.id, "content_type": u.content_type, "size": u.size, "at": _at(u.created_at)}
        for u in rows
    ]


async def agent_authorizations(subject: Subject) -> list[dict[str, Any]]:
    who = Q(citizen_id=subject.id) | Q(agent_id=subject.id)
    rows = await AgentAuthorization.filter(who).order_by("id")
    return [
        {
            "role": "given" if str(a.citizen_id) == subject.id else "held",
            "item_code": a.item_code,
            "created_at": _at(a.created_at),
            "revoked_at": _at(a.revoked_at),
        }
        for a in rows
    ]


async def topics(subject: Subject) -> list[dict[str, Any]]:
    rows = await TopicSubscription.filter(citizen_id=subject.id).order_by("id")
    return [{"topic": s.topic_key, "since": _at(s.created_at)} for s in rows]


async def official_account(subject: Subject) -> dict[str, Any]:
    links = await OaLink.filter(citizen_id=subject.id).order_by("id")
    tickets = await HandoffTicket.filter(citizen_id=subject.id).order_by("id")
    return {
        "links": [{"via": link.via, "linked_at": _at(link.linked_at)} for link in links],
        "questions": [  # stored redacted: ID and phone numbers were masked on arrival
            {"question": t.question, "status": t.status, "at": _at(t.created_at)} for t in tickets
        ],
    }


def register(registry: PersonalData) -> None:
    """The core features' sections, each with what its feature forgets at account closure
    (identity itself, sessions and unused uploads are the closing use case's own)."""
    registry.register("identity", identity, towns.forget)
    registry.register("applications", applications, cases_forgetting.forget)
    registry.register("uploads", uploads)
    registry.register("agent_authorizations", agent_authorizations)
    registry.register("topics", topics, topics_service.forget)
    registry.register("official_account", official_account, links.forget)
