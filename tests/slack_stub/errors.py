"""The error a stand-in Web API method raises to answer ``{"ok": false, "error": ...}``."""

from typing import Any


class ApiError(Exception):
    """A Slack Web API error: HTTP 200 with ``ok`` false and an error code."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages

    def to_response(self) -> dict[str, Any]:
        """The JSON body Slack sends for this error."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": list(self.messages)}
        return body
