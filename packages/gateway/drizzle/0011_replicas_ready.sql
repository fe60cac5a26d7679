CREATE TABLE `console_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`subject` text NOT NULL,
	`access` text NOT NULL,
	`approval_roles` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `console_sessions_expiry` ON `console_sessions` (`expires_at`);--> statement-breakpoint
ALTER TABLE `budget_usage` ADD `reserved_minor` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dispatches` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `dispatches` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `dispatches_lease` ON `dispatches` (`status`,`lease_until`);--> statement-breakpoint
-- Budget totals are kept by the store's methods from now on (issue 15): the triggers of 0003 go, and the new
-- `reserved_minor` starts as the sum of each period's `reserved` ledger lines (committed totals stay as 0003 kept them).
DROP TRIGGER IF EXISTS `budget_usage_on_insert`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `budget_usage_on_update`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `budget_usage_on_delete`;--> statement-breakpoint
INSERT OR IGNORE INTO `budget_usage` (`tenant_id`, `cap_id`, `period_key`, `reserved_minor`, `committed_minor`)
SELECT DISTINCT `tenant_id`, `cap_id`, `period_key`, 0, 0 FROM `budget_ledger` WHERE `status` = 'reserved';--> statement-breakpoint
UPDATE `budget_usage` SET `reserved_minor` = (
	SELECT COALESCE(SUM(l.`amount_minor`), 0) FROM `budget_ledger` l
	WHERE l.`status` = 'reserved' AND l.`tenant_id` = `budget_usage`.`tenant_id`
		AND l.`cap_id` = `budget_usage`.`cap_id` AND l.`period_key` = `budget_usage`.`period_key`
);
