"""The base of every domain error. Each carries a stable reason code and a plain explanation, and the API
maps it to an HTTP status in one place (``mpp.api.exception_handler``); pages show the same message."""

from __future__ import annotations


class DomainError(Exception):
    http_status = 400
    code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, rule: str | None = None, field: str | None = None
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.rule = rule
        self.field = field

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "detail": self.message}
        if self.rule:
            body["rule"] = self.rule
        if self.field:
            body["field"] = self.field
        return body


class IllegalTransition(DomainError):
    http_status = 409
    code = "illegal_transition"


class ConcurrentEdit(DomainError):
    http_status = 409
    code = "concurrent_edit"


class PolicyRefusal(DomainError):
    """A policy rule (RULES.md) forbids the action; ``rule`` names its ID."""

    http_status = 409
    code = "policy_refusal"


class InvalidInput(DomainError):
    http_status = 400
    code = "invalid"


class NotPermitted(DomainError):
    """The actor's role or duty location does not allow this action."""

    http_status = 403
    code = "not_permitted"
