"""WeChat face verification (getverifyid / queryverifyinfo) as an ``IdentityVerifier``."""

from __future__ import annotations

from core.ports import IdentityClaim, VerificationTicket
from integrations.errors import Permanent
from integrations.wechat.client import WeChatClient

PROVIDER = "wechat_face"


class WeChatFaceVerifier:
    """Starts a face check for the citizen's WeChat ``openid``; the mini-program then calls
    ``wx.requestFacialVerify`` with the ``verify_id``. The query repeats the same
    ``out_seq_no``, ``openid``, name and number (WeChat compares their ``cert_hash``)."""

    provider = PROVIDER

    def __init__(self, client: WeChatClient) -> None:
        self._client = client

    async def start(self, claim: IdentityClaim) -> VerificationTicket:
        openid = _openid(claim)
        verify_id = await self._client.face_get_verify_id(
            claim.order_no, openid, claim.name, claim.id_number
        )
        return VerificationTicket(ref=verify_id, opens={"verify_id": verify_id})

    async def passed(self, claim: IdentityClaim, ref: str) -> bool:
        return await self._client.face_query(
            ref, claim.order_no, _openid(claim), claim.name, claim.id_number
        )


def _openid(claim: IdentityClaim) -> str:
    if not claim.open_id:
        # A programming error upstream, not the citizen's: WeChat cannot check a face without it.
        raise Permanent("wechat face verification needs the citizen's openid", platform="wechat")
    return claim.open_id
