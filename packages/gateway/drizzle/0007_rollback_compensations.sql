-- Rollback: a compensation is an outbox row like any action, naming in `reverses` the idempotency key of the
-- dispatched row it undoes (NULL on every existing row: they are plans' own actions).
ALTER TABLE `dispatches` ADD `reverses` text;