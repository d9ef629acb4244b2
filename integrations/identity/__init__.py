"""Real-name verification adapters behind ``core.ports.IdentityVerifier``.

``wechat_face`` (WeChat 政务 face verification), ``alipay_certify`` (Alipay certify) and
``sandbox`` (an in-house fake, only ever wired in explicitly: see its docstring).
"""

from __future__ import annotations
