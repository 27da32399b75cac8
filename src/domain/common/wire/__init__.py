"""Shared parsing of the providers' wire quirks, used by every context's ``raw`` models."""
