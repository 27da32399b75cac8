"""`bff events`: the Salesforce Pub/Sub consumer.

For each ``OrderProvisionRequested__e`` it enqueues the arq job ``provision_order`` (job id
derived from the Salesforce Order id, see :mod:`bff.events.jobs`), then stores the event's
replay id in ``event_cursors``. One instance is active at a time (a Redis lease with a
fencing token); a stored replay id that Salesforce rejects as expired falls back to
EARLIEST plus a reconciliation sweep of Approved orders.
"""
