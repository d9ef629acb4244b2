"""Benefits without applying (免申即享) judged when a citizen's data changes, not only daily.

A citizen who verifies their identity, declares a town or has a case approved (the district
may just have granted a licence the rules ask for) is judged against every policy at once,
after the change committed: one who newly qualifies and holds consent hears now, once per
policy, ever, as the daily sweep would tell them (``notifications.policy_sweep``). The
answer does not wait on it failing: the daily sweep catches up with whoever this missed.
"""

from __future__ import annotations

import logging

from sanic import Request

from miniapp_api.context import app_context

log = logging.getLogger("citysvc.api.benefits")


async def recheck(request: Request, citizen_id: str) -> None:
    sweep = app_context(request).policy_check
    try:
        report = await sweep.citizen(citizen_id)
    except Exception:  # the change stands; the daily sweep judges this citizen again
        log.exception("policy check after a data change failed; the daily sweep will retry")
        return
    if report.messaged:
        log.info("told a citizen of %d newly met policies", report.messaged)
