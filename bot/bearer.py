"""The one check of a bearer token, for the routes that are not Slack's (the access API,
metrics)."""

import hmac
from collections.abc import Callable

from starlette.requests import Request


def bearer_check(token: str) -> Callable[[Request], bool]:
    """Whether a request carries ``Authorization: Bearer <token>``: the scheme in any case
    (RFC 7235), the token compared in constant time. A blank ``token`` (which settings
    already refuse) lets nobody in."""
    expected = token.encode()

    def authorized(request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return (
            bool(token.strip())
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.encode(), expected)
        )

    return authorized
