"""Everything a stand-in workspace remembers; not thread-safe, SlackStub serialises access."""

from tests.slack_stub.channels import ChannelDirectory
from tests.slack_stub.ids import TEAM_ID, TEAM_NAME, IdFactory
from tests.slack_stub.messages import MessageStore
from tests.slack_stub.users import UserDirectory
from tests.slack_stub.views import ViewStore


class Workspace:
    """Users, channels, conversations, messages and views of one team, sharing one id
    sequence."""

    def __init__(self, team_id: str = TEAM_ID, name: str = TEAM_NAME) -> None:
        ids = IdFactory()
        self.team_id = team_id
        self.name = name
        self.users = UserDirectory()
        self.channels = ChannelDirectory()
        self.messages = MessageStore(ids)
        self.views = ViewStore(ids, team_id)
