"""The HTTP side of a Web API call: request parsing into arguments, and the reply to send."""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from tests.slack_stub.errors import ApiError

# Arguments Slack documents as JSON-encoded strings; slack_sdk may send them either way.
_JSON_ENCODED_ARGUMENTS = frozenset({"blocks", "attachments", "view", "metadata"})
_BEARER_PREFIX = "Bearer "


@dataclass(frozen=True)
class HttpRequest:
    """The parts of an HTTP request to ``/api/<method>`` that matter to the stub."""

    method: str
    query: str
    content_type: str
    authorization: str
    body: bytes


@dataclass(frozen=True)
class ApiCall:
    """A decoded call: its arguments (token removed), its token, and any decoding problem."""

    method: str
    args: dict[str, Any]
    token: str | None
    problem: ApiError | None = None


@dataclass(frozen=True)
class Reply:
    """What to answer: HTTP status, JSON body, optional ``Retry-After`` and a delay before it."""

    status: int
    body: dict[str, Any]
    retry_after: int | None = None
    delay_seconds: float = 0.0

    def encoded_body(self) -> bytes:
        """The body as UTF-8 JSON."""
        return json.dumps(self.body).encode("utf-8")


def parse_call(request: HttpRequest) -> ApiCall:
    """Merge query string and body (form or JSON), decode JSON-encoded arguments, take the token."""
    try:
        args = _arguments(request)
    except ApiError as problem:
        return ApiCall(request.method, {}, _bearer_token(request.authorization), problem)
    form_token = args.pop("token", None)
    token = _bearer_token(request.authorization) or form_token
    return ApiCall(request.method, args, token)


def _arguments(request: HttpRequest) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    args.update(_body_arguments(request.content_type, request.body))
    return {name: _decoded(name, value) for name, value in args.items()}


def _body_arguments(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return _json_object(body)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError("invalid_form_data") from error


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError as error:
        raise ApiError("invalid_json") from error
    if not isinstance(parsed, dict):
        raise ApiError("invalid_json")
    return parsed


def _decoded(name: str, value: Any) -> Any:
    if name not in _JSON_ENCODED_ARGUMENTS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as error:
        raise ApiError("invalid_arguments", f"`{name}` must be valid JSON") from error


def _bearer_token(authorization: str) -> str | None:
    if authorization.startswith(_BEARER_PREFIX):
        return authorization.removeprefix(_BEARER_PREFIX)
    return None
