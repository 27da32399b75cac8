"""The public product catalog: Salesforce products, cached in Redis (see ``service``)."""
