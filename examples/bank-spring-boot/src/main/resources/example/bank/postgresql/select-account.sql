SELECT account_id, name, balance FROM example_accounts WHERE account_id = ? AND name IS NOT NULL
