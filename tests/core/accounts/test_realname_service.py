"""RealnameService against a migrated database and the sandbox provider."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.accounts.realname import RealnameService, erase_expired
from core.clock import FrozenClock
from core.errors import Conflict, InvalidInput, NotFound, Unavailable
from core.identity.models import Citizen, Verification
from core.pii import PiiCipher
from integrations.identity.sandbox import SandboxIdentityVerifier
from integrations.state import MemoryState
from tests.core.identity.conftest import make_citizen

NAME, ID_NUMBER = "张三", "11010519491231002X"


@pytest.fixture
def verifier() -> SandboxIdentityVerifier:
    return SandboxIdentityVerifier(MemoryState())


@pytest.fixture
def service(
    db: str, clock: FrozenClock, cipher: PiiCipher, verifier: SandboxIdentityVerifier
) -> RealnameService:
    return RealnameService(clock, cipher, {"wechat": verifier})


async def _start(
    service: RealnameService, citizen: Citizen, number: str = ID_NUMBER
) -> Verification:
    row, _ = await service.start(citizen, "wechat", NAME, number)
    return row


async def test_start_stores_only_ciphertext(service: RealnameService, cipher: PiiCipher) -> None:
    citizen = await make_citizen()
    row, ticket = await service.start(citizen, "wechat", " 张三 ", "11010519491231002x")
    stored = await Verification.get(id=row.id)
    assert stored.provider == "sandbox" and stored.provider_ref == ticket.ref
    assert stored.status == "pending" and stored.open_id is not None
    assert ID_NUMBER not in (stored.id_number_enc or "") and NAME not in (stored.name_enc or "")
    assert cipher.decrypt(stored.id_number_enc or "", context="verification.id_number") == ID_NUMBER
    assert stored.id_number_index == cipher.blind_index(ID_NUMBER, purpose="id_number")


async def test_pass_marks_verified_and_erases_the_claim(
    service: RealnameService, verifier: SandboxIdentityVerifier, cipher: PiiCipher
) -> None:
    citizen = await make_citizen()
    row = await _start(service, citizen)
    await verifier.complete(row.provider_ref or "", passed=True)
    assert await service.confirm(str(citizen.id), str(row.id)) == str(citizen.id)
    fresh = await Citizen.get(id=citizen.id)
    assert fresh.realname_verified
    assert cipher.decrypt(fresh.id_number_enc or "", context="citizen.id_number") == ID_NUMBER
    assert cipher.decrypt(fresh.name_enc or "", context="citizen.name") == NAME
    done = await Verification.get(id=row.id)
    assert (done.status, done.name_enc, done.id_number_enc) == ("passed", None, None)


async def test_failed_then_used(
    service: RealnameService, verifier: SandboxIdentityVerifier
) -> None:
    citizen = await make_citizen()
    row = await _start(service, citizen)
    await verifier.complete(row.provider_ref or "", passed=False)
    with pytest.raises(InvalidInput) as failed:
        await service.confirm(str(citizen.id), str(row.id))
    assert failed.value.code == "verification_failed"
    with pytest.raises(Conflict) as used:
        await service.confirm(str(citizen.id), str(row.id))
    assert used.value.code == "verification_used"
    assert not (await Citizen.get(id=citizen.id)).realname_verified


async def test_concurrent_confirms_apply_once(
    service: RealnameService, verifier: SandboxIdentityVerifier
) -> None:
    citizen = await make_citizen()
    row = await _start(service, citizen)
    await verifier.complete(row.provider_ref or "", passed=True)
    results = await asyncio.gather(
        *(service.confirm(str(citizen.id), str(row.id)) for _ in range(3)), return_exceptions=True
    )
    assert sum(r == str(citizen.id) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 2


async def test_other_citizens_attempt_is_not_found(service: RealnameService) -> None:
    owner, other = await make_citizen(), await make_citizen()
    row = await _start(service, owner)
    for citizen_id, verification_id in (
        (str(other.id), str(row.id)),
        (str(owner.id), "not-a-uuid"),
        (str(owner.id), "00000000-0000-0000-0000-000000000000"),
    ):
        with pytest.raises(NotFound):
            await service.confirm(citizen_id, verification_id)


async def test_expired_attempt(
    service: RealnameService, verifier: SandboxIdentityVerifier, clock: FrozenClock
) -> None:
    citizen = await make_citizen()
    row = await _start(service, citizen)
    await verifier.complete(row.provider_ref or "", passed=True)
    clock.advance(minutes=31)
    with pytest.raises(Conflict) as expired:
        await service.confirm(str(citizen.id), str(row.id))
    assert expired.value.code == "verification_expired"
    stored = await Verification.get(id=row.id)
    assert (stored.status, stored.id_number_enc) == ("expired", None)


async def test_erase_expired_sweeps_every_stale_attempt(
    service: RealnameService, clock: FrozenClock
) -> None:
    rows = [await _start(service, await make_citizen()) for _ in range(2)]
    assert await erase_expired(clock.now()) == 0
    assert await erase_expired(clock.now() + timedelta(minutes=30)) == 2
    for row in rows:
        stored = await Verification.get(id=row.id)
        assert (stored.status, stored.name_enc, stored.id_number_enc) == ("expired", None, None)


async def test_verified_citizen_cannot_start_again(
    service: RealnameService, verifier: SandboxIdentityVerifier
) -> None:
    citizen = await make_citizen()
    row = await _start(service, citizen)
    await verifier.complete(row.provider_ref or "", passed=True)
    await service.confirm(str(citizen.id), str(row.id))
    with pytest.raises(Conflict) as again:
        await _start(service, await Citizen.get(id=citizen.id), "440524188001010014")
    assert again.value.code == "already_verified"


async def test_two_pending_numbers_first_pass_wins(
    service: RealnameService, verifier: SandboxIdentityVerifier
) -> None:
    citizen, holder = await make_citizen(), await make_citizen()
    mine = await _start(service, citizen)
    other = await _start(service, citizen, "440524188001010014")
    theirs = await _start(service, holder, "440524188001010014")
    for row in (mine, other, theirs):
        await verifier.complete(row.provider_ref or "", passed=True)
    await service.confirm(str(holder.id), str(theirs.id))
    await service.confirm(str(citizen.id), str(mine.id))
    with pytest.raises(Conflict) as second:  # would otherwise join two different people
        await service.confirm(str(citizen.id), str(other.id))
    assert second.value.code == "already_verified"
    assert (await Citizen.get(id=holder.id)).closed_at is None


async def test_platform_without_provider(service: RealnameService) -> None:
    citizen = await make_citizen("alipay")
    with pytest.raises(Unavailable) as refused:
        await service.start(citizen, "alipay", NAME, ID_NUMBER)
    assert refused.value.code == "realname_unavailable"


@pytest.mark.parametrize(
    ("name", "number", "code"),
    [
        ("张三", "110105194912310021", "invalid_id_number"),
        ("张", ID_NUMBER, "invalid_name"),
        ("张三3", ID_NUMBER, "invalid_name"),
    ],
)
async def test_invalid_claims(service: RealnameService, name: str, number: str, code: str) -> None:
    citizen = await make_citizen()
    with pytest.raises(InvalidInput) as refused:
        await service.start(citizen, "wechat", name, number)
    assert refused.value.code == code
    assert number not in str(refused.value.details)
    assert await Verification.all().count() == 0
