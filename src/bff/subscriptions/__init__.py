"""The caller's services (WHMCS GetClientsProducts)."""
