"""The portal's language: provider-agnostic contracts and the mappers that build them.

Pure code only: no I/O, no web framework, nothing from ``bff`` or ``integrations``.
Each business context (billing, subscriptions, catalog, orders, customer, sim, support)
has a ``contract`` module and ``providers/<system>/{raw,mapper}`` modules that validate a
provider payload once and map it into the contract.
"""
