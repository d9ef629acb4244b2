"""Alipay certify (initialize / query) as an ``IdentityVerifier``."""

from __future__ import annotations

from core.ports import IdentityClaim, VerificationTicket
from integrations.alipay.client import AlipayClient

PROVIDER = "alipay_certify"


def mini_program_return_url(appid: str) -> str:
    """Where Alipay sends the user after the face check: back into our mini-program."""
    return f"alipays://platformapi/startapp?appId={appid}"


class AlipayCertifyVerifier:
    """Opens a certification and hands the mini-program its signed ``certify_url``.

    The result is ``alipay.user.certify.open.query`` (``passed == "T"``) for the
    ``certify_id``; the claim is not needed again because Alipay keeps it with the id.
    """

    provider = PROVIDER

    def __init__(self, client: AlipayClient, return_url: str | None = None) -> None:
        self._client = client
        self._return_url = return_url or mini_program_return_url(client.appid)

    async def start(self, claim: IdentityClaim) -> VerificationTicket:
        certify_id = await self._client.certify_initialize(
            claim.order_no, claim.name, claim.id_number, self._return_url
        )
        url = await self._client.certify_url(certify_id)
        return VerificationTicket(
            ref=certify_id, opens={"certify_id": certify_id, "certify_url": url}
        )

    async def passed(self, claim: IdentityClaim, ref: str) -> bool:
        return await self._client.certify_query(ref)
