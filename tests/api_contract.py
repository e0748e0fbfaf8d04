"""The API's one error body, as the tests check it (mpp.api.exception_handler)."""

from __future__ import annotations

from typing import Any

ERROR_KEYS = {"code", "detail", "field", "rule", "errors"}


def refusal(response: Any, status: int = 400) -> dict[str, Any]:
    """The one error body (mpp.api): ``code`` and ``detail``; ``field`` as a dotted path when one field is at
    fault; ``rule`` when a policy rule refused; on a 400 ``errors`` with every problem — nothing else."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= ERROR_KEYS, body
    assert body["code"] and body["detail"], body
    if status == 400:
        assert body["errors"][0] == {
            "field": body.get("field"),
            "code": body["code"],
            "detail": body["detail"],
        }
    return body
