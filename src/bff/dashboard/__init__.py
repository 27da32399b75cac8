"""One call with the caller's billing, services, support and order summary."""
