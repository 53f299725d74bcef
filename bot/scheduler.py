"""The clock that drives background work: APScheduler only triggers; what is due lives in
the database, so any replica's scheduler may find it and none holds state that matters."""

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.slack.delivery import Deliverer


def start_scheduler(deliverer: Deliverer, *, every: timedelta) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        deliverer.deliver_due,
        "interval",
        seconds=every.total_seconds(),
        id="deliver-outbox",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
