"""Everything the stand-in workspace remembers; not thread-safe, SlackStub serialises access."""

from tests.slack_stub.channels import ChannelDirectory
from tests.slack_stub.ids import IdFactory
from tests.slack_stub.messages import MessageStore
from tests.slack_stub.users import UserDirectory
from tests.slack_stub.views import ViewStore


class Workspace:
    """Users, channels, conversations, messages and views, sharing one id sequence."""

    def __init__(self) -> None:
        ids = IdFactory()
        self.users = UserDirectory()
        self.channels = ChannelDirectory()
        self.messages = MessageStore(ids)
        self.views = ViewStore(ids)
