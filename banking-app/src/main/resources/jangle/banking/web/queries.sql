-- The HTTP server's statements, the same text on SQLite and PostgreSQL. Values are always bound.

-- name: user.insert
INSERT INTO web_users (name, role, token_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING

-- name: user.by-hash
SELECT name, role, token_hash FROM web_users WHERE token_hash = ?

-- name: user.by-name
SELECT name, role, token_hash FROM web_users WHERE name = ?

-- name: user.list
SELECT name, role, created_at FROM web_users ORDER BY name

-- name: user.delete
DELETE FROM web_users WHERE name = ?

-- name: idempotency.find
SELECT request_hash, status, body FROM web_idempotency WHERE principal = ? AND idem_key = ?

-- name: idempotency.insert
INSERT INTO web_idempotency (principal, idem_key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
