"""What case services need from the outside, passed as one object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.cases.workdays import WorkCalendar
from core.pii import PiiCipher
from core.ports import Clock, LicenceRegistry


@dataclass(frozen=True)
class CaseContext:
    clock: Clock
    calendar: WorkCalendar
    cipher: PiiCipher
    licences: LicenceRegistry

    def today(self) -> date:
        return self.clock.now().date()
