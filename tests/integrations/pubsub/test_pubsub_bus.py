"""The sandbox's event log: retention, replay-id validation and presets (no network)."""

from __future__ import annotations

import pytest

from integrations.sandbox.pubsub_bus import EventBus, InvalidReplayId


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_events_past_retention_are_purged_and_their_ids_rejected() -> None:
    clock = Clock()
    bus = EventBus(retention_seconds=10, clock=clock)
    old = await bus.publish_order_approved("801A", "001A")
    clock.now += 6
    kept = await bus.publish_order_approved("801B", None)
    assert bus.start_after(old.replay_id) == old.counter
    clock.now += 5  # the first event is now 11 s old
    with pytest.raises(InvalidReplayId):
        bus.start_after(old.replay_id)
    assert bus.start_after(kept.replay_id) == kept.counter
    assert [e.counter for e in bus.after(bus.earliest_position(), 10)] == [kept.counter]


async def test_ids_are_increasing_and_an_earlier_sandbox_run_s_ids_read_as_expired() -> None:
    earlier = EventBus()
    stored = await earlier.publish_order_approved("801A", None)
    later = EventBus()
    await later.publish_order_approved("801B", None)
    fresh = await later.publish_order_approved("801C", None)
    assert fresh.replay_id > stored.replay_id  # 8-byte big-endian: byte order is number order
    with pytest.raises(InvalidReplayId):
        later.start_after(stored.replay_id)
    with pytest.raises(InvalidReplayId):
        later.start_after(b"short")
    with pytest.raises(InvalidReplayId):
        later.start_after((fresh.counter + 1).to_bytes(8, "big"))  # never issued


async def test_reset_keeps_counting_so_stored_ids_expire() -> None:
    bus = EventBus()
    event = await bus.publish_order_approved("801A", None)
    bus.reset()
    with pytest.raises(InvalidReplayId):
        bus.start_after(event.replay_id)
    assert bus.after(bus.earliest_position(), 10) == []
    assert (await bus.publish_order_approved("801B", None)).counter == event.counter + 1
