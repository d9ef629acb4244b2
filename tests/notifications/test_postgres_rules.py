"""The outbox rules and the errors table again, on PostgreSQL (raw SQL, ON CONFLICT, RETURNING).

The same test bodies as on SQLite; a pytest process keeps to one database dialect, so these
run in the PostgreSQL process (``-m postgres``).
"""

from __future__ import annotations

from tests.notifications import test_errors_table as table
from tests.notifications import test_leases_and_lanes as leases
from tests.notifications import test_outbox as outbox
from tests.notifications.conftest import Rig


async def test_no_consent_means_no_send(pg_rig: Rig) -> None:
    await outbox.test_no_consent_means_no_send(pg_rig)


async def test_a_one_time_credit_is_used_once(pg_rig: Rig) -> None:
    await outbox.test_a_one_time_credit_is_used_once(pg_rig)


async def test_a_repeated_trigger_sends_once(pg_rig: Rig) -> None:
    await outbox.test_a_repeated_trigger_sends_once(pg_rig)


async def test_the_row_is_part_of_the_change_transaction(pg_rig: Rig) -> None:
    await outbox.test_the_row_is_part_of_the_change_transaction(pg_rig)


async def test_accepted_message_is_sent_and_spends_the_credit(pg_rig: Rig) -> None:
    await table.test_accepted_message_is_sent_and_spends_the_credit(pg_rig)


async def test_no_consent_exhausts_the_credit_and_falls_back(pg_rig: Rig) -> None:
    await table.test_no_consent_at_the_platform_exhausts_the_credit_and_falls_back(pg_rig)


async def test_permanent_refusal_fails(pg_rig: Rig) -> None:
    await table.test_permanent_refusals_are_marked_failed_and_never_retried(pg_rig, 47003)


async def test_busy_backs_off_then_sends(pg_rig: Rig) -> None:
    await table.test_busy_limited_or_unreachable_backs_off_then_sends(pg_rig, {"errcode": -1}, 2.0)


async def test_retries_end_as_failed_and_release_the_credit(pg_rig: Rig) -> None:
    await table.test_retries_end_as_failed_and_release_the_credit(pg_rig)


async def test_claims_of_a_dead_worker_are_reclaimed(pg_rig: Rig) -> None:
    await leases.test_claims_of_a_dead_worker_are_reclaimed_after_the_lease(pg_rig)
