SELECT account_id, name, balance FROM example_accounts WHERE name IS NOT NULL ORDER BY account_id
