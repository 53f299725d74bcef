"""Holding invitations' DMs on PostgreSQL: one transaction at a time, never waited for."""

from sqlalchemy import Engine

from storage.unit_of_work import UnitOfWork


def test_a_held_dm_is_left_out_of_other_holds_until_the_holder_ends(
    postgres_engine: Engine,
) -> None:
    with UnitOfWork(postgres_engine) as first:
        assert first.invitations.hold_dms([3, 1, 2]) == {1, 2, 3}
        with UnitOfWork(postgres_engine) as second:
            assert second.invitations.hold_dms([2, 4]) == {4}
    with UnitOfWork(postgres_engine) as third:
        assert third.invitations.hold_dms([1, 2, 3, 4]) == {1, 2, 3, 4}
