"""Failed link lookups, counted per client address within a window."""

from bot.pages.limits import FailedLookups


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_refused_after_its_failures_until_they_age_out() -> None:
    ticks = Ticks()
    lookups = FailedLookups(3, 60.0, monotonic=ticks)
    for _ in range(2):
        lookups.failed("198.51.100.7")
        ticks.now += 10
    assert not lookups.blocked("198.51.100.7")
    lookups.failed("198.51.100.7")
    assert lookups.blocked("198.51.100.7")
    assert not lookups.blocked("203.0.113.9")
    ticks.now += 41  # the first failure (at 1000) is now more than 60 s old
    assert not lookups.blocked("198.51.100.7")
