"""Replies that are costly to build, kept while what they show cannot have changed."""

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime

from slack_bolt import Ack, BoltResponse

from bot.blocks.messages import Message
from storage.tables import Account

CAPACITY = 256


class ReplyCache:
    """Built replies by account, valid for the account's version and the current minute
    (replies show ages such as "3 hours ago"). Every replica checks the version in the
    database on each request, so none can serve what another replica's change made stale."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._replies: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def acknowledge(
        self, ack: Ack, kind: str, account: Account, now: datetime, build: Callable[[], Message]
    ) -> None:
        """Acknowledge with the reply, building and encoding it only if no fresh copy is kept.
        (Encoding a long reply costs as much as the rest of the request, so the encoded body
        is kept and handed to Bolt as the acknowledgement's response.)"""
        key = _key(kind, account.team_id, account.version, now)
        body = self._get(key) or self._keep(key, _encoded(build()))
        ack.response = BoltResponse(status=200, body=body, headers=JSON)

    def _get(self, key: Hashable) -> str | None:
        with self._lock:
            reply = self._replies.get(key)
            if reply is not None:
                self._replies.move_to_end(key)
            return reply

    def _keep(self, key: Hashable, reply: str) -> str:
        with self._lock:
            self._replies[key] = reply
            while len(self._replies) > self._capacity:
                self._replies.popitem(last=False)
        return reply


def _key(kind: str, team_id: str, version: int, now: datetime) -> Hashable:
    return (kind, team_id, version, now.replace(second=0, microsecond=0))


JSON: dict[str, str | Sequence[str]] = {"content-type": "application/json;charset=utf-8"}


def _encoded(message: Message) -> str:
    return json.dumps({"text": message.text, "blocks": message.blocks})
