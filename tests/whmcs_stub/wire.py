"""What the stand-in sends back over HTTP: JSON answers, HTML pages, or nothing at all."""

import json
from dataclasses import dataclass
from typing import Any

_JSON = "application/json"
_HTML = "text/html; charset=utf-8"
_XML = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """An HTTP reply; ``drop`` closes the connection without one (after a change was made,
    the caller cannot tell whether it happened)."""

    status: int
    content_type: str
    body: bytes
    drop: bool = False


DROP = Reply(0, "", b"", drop=True)


def json_reply(answer: dict[str, Any], status: int = 200) -> Reply:
    return Reply(status, _JSON, json.dumps(answer).encode("utf-8"))


def html_page(status: int, title: str) -> Reply:
    """A page such as a web server, proxy or PHP error shows instead of the API's answer."""
    page = f"<!DOCTYPE html><html><head><title>{title}</title></head><h1>{title}</h1></html>"
    return Reply(status, _HTML, page.encode("utf-8"))


def xml_reply(answer: dict[str, str]) -> Reply:
    """WHMCS's XML answer, given to callers that do not ask for ``responsetype=json``."""
    fields = "".join(f"<{name}>{value}</{name}>" for name, value in answer.items())
    body = f'<?xml version="1.0" encoding="utf-8"?><whmcsapi>{fields}</whmcsapi>'
    return Reply(200, _XML, body.encode("utf-8"))
