"""The domain's error tree.

Every error carries a stable snake_case ``code``, a human message and optional details.
No HTTP status lives here: ``miniapp_api.errors`` maps each class to one, once.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain_error"
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details or {}
        super().__init__(self.message)


class Malformed(DomainError):
    """The request cannot be read at all (bad JSON, wrong shape)."""

    code = "malformed_request"
    default_message = "The request body is malformed."


class InvalidCharacters(Malformed):
    """Text with NUL, another control character or a lone surrogate (no database stores it)."""

    code = "invalid_characters"
    default_message = "请求中含有无法识别的控制字符，请删除后重新提交。"


class InvalidNumber(Malformed):
    """A JSON number no database or answer can hold: beyond 64 bits, NaN or infinite."""

    code = "invalid_number"
    default_message = "请求中的数字超出了可以处理的范围，请检查后重新提交。"


class InvalidInput(DomainError):
    """A value was read but is not acceptable."""

    code = "invalid_value"
    default_message = "A value is not valid."


class IdentityMismatch(InvalidInput):
    """The ID number is verified on another account under a different name."""

    code = "identity_mismatch"
    default_message = "该证件号码已由他人完成实名认证，且姓名与您填写的不一致，请核对后重试。"


class TooManyMaterials(InvalidInput):
    code = "too_many_materials"
    default_message = "一个办件最多可提交50份材料，请合并或删减后再提交。"


class DuplicateMaterial(InvalidInput):
    code = "duplicate_material"
    default_message = "同一份文件在同一材料下重复提交了，请删除重复的一项后再提交。"


class UploadQuotaExceeded(InvalidInput):
    code = "upload_quota_exceeded"
    default_message = "您今天上传的文件已达上限，请明天再上传，或先提交已上传的材料。"


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    default_message = "Please log in first."


class SessionIdle(NotAuthenticated):
    """A staff session unused for ``STAFF_IDLE_MINUTES``."""

    code = "session_idle"
    default_message = "您已较长时间未操作，为保护账号安全，请重新登录。"


class InvalidLoginCode(NotAuthenticated):
    code = "invalid_login_code"
    default_message = "The login code is invalid or has already been used; please log in again."


class OtpRequired(NotAuthenticated):
    """Two-factor sign-in is on and the login carried no code (or the member has no secret)."""

    code = "otp_required"
    default_message = "请输入身份验证器上显示的6位动态码。"


class InvalidOtp(NotAuthenticated):
    code = "invalid_otp"
    default_message = "动态码不正确或已使用过，请输入身份验证器上最新的6位动态码。"


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(DomainError):
    code = "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    code = "conflict"
    default_message = "The resource is not in a state that allows this."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "This action is not allowed in the case's current state."


class TooLarge(DomainError):
    code = "file_too_large"
    default_message = "The file is too large."


class UnsupportedType(DomainError):
    code = "unsupported_file_type"
    default_message = "This type of file is not accepted."


class RateLimited(DomainError):
    code = "rate_limited"
    default_message = "Too many requests; please try again later."

    def __init__(self, message: str | None = None, *, retry_after: float = 60.0, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A capability is switched off or temporarily unreachable."""

    code = "unavailable"
    default_message = "This service is temporarily unavailable."

    def __init__(self, message: str | None = None, *, retry_after: float = 30.0, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class SettingsError(Exception):
    """Configuration is missing or wrong; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class RevokeWindowPassed(Conflict):
    code = "revoke_window_passed"
    default_message = "这项秒批已超过可撤销的时限，不能再撤销；如有问题请按更正程序处理。"


class NotInstantlyApproved(Conflict):
    code = "not_instantly_approved"
    default_message = "这个办件不是由系统秒批通过的，无需撤销秒批；请按一般流程办理。"


class BundleNotFound(NotFound):
    code = "bundle_not_found"
    default_message = "没有找到这项“一件事”或这次办理记录，请返回列表重新选择。"
