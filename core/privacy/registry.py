"""What the service holds about a citizen, feature by feature (PIPL art. 45 and 47).

Each feature that keeps personal data registers one ``Holding``: a section name, how to
export what it holds about a citizen (``GET /api/v1/me/export``) and, optionally, how to
forget it when the citizen closes their account (``DELETE /api/v1/me``). The export is then
one JSON object with one key per section, in registration order; a feature added later
(ratings, feedback) registers its own section and nothing else changes.

Erasers run inside the account-closing transaction, after the citizen row is erased, so
either all of them forget or none does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.identity.models import Citizen
from core.pii import PiiCipher


@dataclass(frozen=True)
class Subject:
    """Whose data: the citizen (still open when exporting) and the means to read it."""

    citizen: Citizen
    cipher: PiiCipher
    now: datetime

    @property
    def id(self) -> str:
        return str(self.citizen.id)


Exporter = Callable[[Subject], Awaitable[Any]]


class Forget(Protocol):
    """The one port account closure (``core.accounts.closing``) asks every feature through:
    forget what you hold of this citizen, inside the closing transaction."""

    async def __call__(self, citizen_id: str, now: datetime, /) -> None: ...


Eraser = Forget


@dataclass(frozen=True)
class Holding:
    section: str
    export: Exporter
    erase: Eraser | None = None


@dataclass
class PersonalData:
    """The registry: every holding of every feature."""

    holdings: list[Holding] = field(default_factory=list)

    def register(self, section: str, export: Exporter, erase: Eraser | None = None) -> None:
        if any(h.section == section for h in self.holdings):
            raise ValueError(f"section {section!r} is registered twice")
        self.holdings.append(Holding(section, export, erase))

    @property
    def sections(self) -> list[str]:
        return [h.section for h in self.holdings]

    async def export(self, subject: Subject) -> dict[str, Any]:
        return {h.section: await h.export(subject) for h in self.holdings}

    @property
    def erasers(self) -> list[Eraser]:
        return [h.erase for h in self.holdings if h.erase is not None]
