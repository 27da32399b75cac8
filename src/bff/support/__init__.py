"""Support cases of the caller's Salesforce account."""
