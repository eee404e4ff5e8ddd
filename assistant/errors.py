"""One exception hierarchy with stable codes; the API maps them to problem+json in one place."""

from __future__ import annotations

from typing import Any


class CrisisError(Exception):
    """Base error. `code` is stable (clients switch on it); `status` is the HTTP status it maps to."""

    code = "internal_error"
    status = 500
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(CrisisError):
    code, status, title = "invalid_input", 422, "Invalid input"


class DocumentInvalid(InvalidInput):
    code, title = "document_invalid", "Invalid document"


class PayloadTooLarge(CrisisError):
    code, status, title = "payload_too_large", 413, "Payload too large"


class UnsupportedMediaType(CrisisError):
    code, status, title = "unsupported_media_type", 415, "Unsupported media type"


class NotFound(CrisisError):
    code, status, title = "not_found", 404, "Not found"


class Conflict(CrisisError):
    code, status, title = "version_conflict", 409, "Version conflict"


class Forbidden(CrisisError):
    code, status, title = "forbidden", 403, "Forbidden"


class Unauthorized(CrisisError):
    code, status, title = "unauthorized", 401, "Unauthorized"


class RateLimited(CrisisError):
    code, status, title = "rate_limited", 429, "Too many requests"


class PreconditionRequired(InvalidInput):
    """A change that does not say which version it changes (no body `version`, no If-Match)."""

    code, status, title = "version_required", 428, "Precondition required"


class ApprovalBlocked(CrisisError):
    code, status, title = "approval_blocked", 409, "Approval blocked by a high-severity flag"


class ProviderUnavailable(CrisisError):
    code, status, title = "provider_unavailable", 503, "Model provider unavailable"


class KnowledgeUnavailable(CrisisError):
    code, status, title = "knowledge_unavailable", 503, "Knowledge store unavailable"
