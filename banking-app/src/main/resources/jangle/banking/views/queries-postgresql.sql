-- Queries of banking.md section 9, PostgreSQL dialect. Read only the view tables (Q3); every value is a bound
-- parameter (W6). Blocks are named by a "-- name:" line and loaded by jangle.banking.app.views.NamedSql.
-- Times are timestamptz. Account ids and transaction ids sort bytewise (COLLATE "C"), as on SQLite.

-- name: accounts_list
-- params: now
SELECT s.account_id, s.name, s.balance_cents,
       (SELECT COUNT(*) FROM transfer_requests r
         WHERE r.funding_account = s.account_id AND r.state = 2 AND r.timeout_at > ?) AS pending
  FROM bank_summary s
 WHERE s.name IS NOT NULL AND s.is_deleted = 0
 ORDER BY length(s.account_id), s.account_id COLLATE "C"

-- name: bank_stats_accounts
SELECT COALESCE(SUM(CASE WHEN name IS NOT NULL AND is_deleted = 0 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN is_deleted = 1 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(balance_cents), 0)
  FROM bank_summary

-- name: bank_stats_money
SELECT (SELECT COUNT(*) FROM transactions),
       (SELECT COUNT(*) FROM deposits), (SELECT COALESCE(SUM(amount_cents), 0) FROM deposits),
       (SELECT COUNT(*) FROM withdrawals), (SELECT COALESCE(SUM(amount_cents), 0) FROM withdrawals),
       (SELECT COALESCE(SUM(amount_cents), 0) FROM debts_forgiven)

-- name: account_summary
-- params: accountId
SELECT account_id, name, balance_cents
  FROM bank_summary
 WHERE account_id = ? AND name IS NOT NULL AND is_deleted = 0

-- name: pending_requests
-- params: accountId, now
SELECT transaction_id, funded_account, amount_cents, timeout_at
  FROM transfer_requests
 WHERE funding_account = ? AND state = 2 AND timeout_at > ?
 ORDER BY timeout_at, transaction_id COLLATE "C"

-- name: account_ledger
-- params: accountId
SELECT t.initiated_at, t.amount_cents, t.transaction_type, y.description, t.transaction_id
  FROM transactions t
  JOIN transaction_types y ON y.value = t.transaction_type
 WHERE t.account_id = ?
 ORDER BY t.initiated_at, t.version

-- name: money_totals
SELECT (SELECT COALESCE(SUM(balance_cents), 0) FROM bank_summary),
       (SELECT COALESCE(SUM(amount_cents), 0) FROM deposits),
       (SELECT COALESCE(SUM(amount_cents), 0) FROM withdrawals),
       (SELECT COALESCE(SUM(amount_cents), 0) FROM debts_forgiven)
