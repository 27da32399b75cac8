"""Orders: placing an order (Salesforce Draft Order) and following it to `active`."""
