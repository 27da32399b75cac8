"""SIM management (Freebit) for the caller's SIM subscriptions."""
