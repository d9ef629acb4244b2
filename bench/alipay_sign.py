"""Alipay RSA2 signing and verifying: python-alipay-sdk's pycryptodomex path against ours.

Same RSA-2048 keys, same content: a login request signed (``sign_data`` against
``Rsa2Signer.signed_query`` over the same ``build_body``), and a signed login answer verified
(the SDK's sync-response check against ``Rsa2Signer.verified_node``). Milliseconds per
operation, median of 5 rounds, and the ratio SDK / ours (how many times faster ours is).

    .venv/bin/python bench/alipay_sign.py [--rounds 5] [--n 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alipay import AliPay  # noqa: E402
from common import record  # noqa: E402

from integrations.alipay.keys import generate_keypair  # noqa: E402
from integrations.alipay.signing import Rsa2Signer  # noqa: E402

NODE = "alipay_system_oauth_token_response"
STAMP = "2026-11-26 14:00:05"


def per_op_ms(fn: Callable[[], Any], n: int, rounds: int) -> float:
    """Median over ``rounds`` of the mean milliseconds of ``n`` calls."""
    runs = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - began) * 1000 / n)
    return statistics.median(runs)


def main(n: int, rounds: int) -> None:
    app, gateway = generate_keypair(), generate_keypair()
    sdk: Any = AliPay(
        appid="2021000000000001",
        app_notify_url=None,
        app_private_key_string=app.private_pem,
        alipay_public_key_string=gateway.public_pem,
        sign_type="RSA2",
    )
    ours = Rsa2Signer(app.private_pem, gateway.public_pem)
    answerer = Rsa2Signer(gateway.private_pem, app.public_pem)

    def body() -> dict[str, Any]:
        top = {"grant_type": "authorization_code", "code": "4b203fe6c11548bcabd8da5bb087a83b"}
        return dict(sdk.build_body("alipay.system.oauth.token", {}, timestamp=STAMP, **top))

    node = json.dumps(
        {"code": "10000", "msg": "Success", "open_id": "074a" + "x" * 40, "access_token": "t" * 40},
        separators=(",", ":"),
    )
    sign = answerer.sign(node)
    raw = f'{{"{NODE}":{node},"sign":"{sign}"}}'
    assert sdk.sign_data(body()) == ours.signed_query(body())
    assert sdk._verify_and_return_sync_response(raw, NODE) == ours.verified_node(raw, NODE, sign)

    sdk_sign = per_op_ms(lambda: sdk.sign_data(body()), n, rounds)
    our_sign = per_op_ms(lambda: ours.signed_query(body()), n, rounds)
    sdk_verify = per_op_ms(lambda: sdk._verify_and_return_sync_response(raw, NODE), n, rounds)
    our_verify = per_op_ms(lambda: ours.verified_node(raw, NODE, sign), n, rounds)

    print(f"RSA-2048, median of {rounds} rounds of {n} operations")
    print(f"sign a login request   SDK {sdk_sign:6.3f} ms   ours {our_sign:6.3f} ms")
    print(f"verify a login answer  SDK {sdk_verify:6.3f} ms   ours {our_verify:6.3f} ms")
    print(
        f"ours faster by  sign {sdk_sign / our_sign:.1f}x   verify {sdk_verify / our_verify:.1f}x"
    )
    record("sign, ours", our_sign, "ms", f"< SDK's {sdk_sign:.2f} ms", our_sign < sdk_sign)
    record(
        "verify, ours",
        our_verify,
        "ms",
        f"< SDK's {sdk_verify:.2f} ms",
        our_verify < sdk_verify,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.n, args.rounds)
