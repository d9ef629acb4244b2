"""An in-process electronic-licence registry for the demo and tests."""

from __future__ import annotations


class SandboxLicenceRegistry:
    """Holds licences by resident ID number; ``grant`` adds one."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], str] = {}

    def grant(self, id_number: str, license_type: str, reference: str) -> None:
        self._held[(id_number, license_type)] = reference

    async def find(self, id_number: str, license_type: str) -> str | None:
        return self._held.get((id_number, license_type))
