"""What case services need from the outside, passed as one object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.cases.workdays import WorkCalendar
from core.pii import PiiCipher
from core.ports import Clock, LicenceRegistry, MilestoneSink


@dataclass(frozen=True)
class CaseContext:
    clock: Clock
    calendar: WorkCalendar
    cipher: PiiCipher
    licences: LicenceRegistry
    sink: MilestoneSink | None = None  # the notification engine, when wired

    def today(self) -> date:
        return self.clock.now().date()
