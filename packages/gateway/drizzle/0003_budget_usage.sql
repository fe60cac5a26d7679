-- Committed minor units per tenant, cap and period, kept by triggers on budget_ledger: a reservation reads one
-- row (plus the period's live reservations) instead of summing every committed line of the period.
CREATE TABLE `budget_usage` (
	`tenant_id` text NOT NULL,
	`cap_id` text NOT NULL,
	`period_key` text NOT NULL,
	`committed_minor` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `cap_id`, `period_key`)
);
--> statement-breakpoint
INSERT INTO `budget_usage` (`tenant_id`, `cap_id`, `period_key`, `committed_minor`)
SELECT `tenant_id`, `cap_id`, `period_key`, SUM(`amount_minor`) FROM `budget_ledger`
WHERE `status` = 'committed' GROUP BY `tenant_id`, `cap_id`, `period_key`;
--> statement-breakpoint
CREATE TRIGGER `budget_usage_on_insert` AFTER INSERT ON `budget_ledger` WHEN NEW.`status` = 'committed'
BEGIN
	INSERT OR IGNORE INTO `budget_usage` (`tenant_id`, `cap_id`, `period_key`, `committed_minor`)
	VALUES (NEW.`tenant_id`, NEW.`cap_id`, NEW.`period_key`, 0);
	UPDATE `budget_usage` SET `committed_minor` = `committed_minor` + NEW.`amount_minor`
	WHERE `tenant_id` = NEW.`tenant_id` AND `cap_id` = NEW.`cap_id` AND `period_key` = NEW.`period_key`;
END;
--> statement-breakpoint
CREATE TRIGGER `budget_usage_on_update` AFTER UPDATE ON `budget_ledger`
WHEN (OLD.`status` = 'committed') <> (NEW.`status` = 'committed')
	OR (NEW.`status` = 'committed' AND (OLD.`amount_minor` <> NEW.`amount_minor` OR OLD.`tenant_id` <> NEW.`tenant_id`
		OR OLD.`cap_id` <> NEW.`cap_id` OR OLD.`period_key` <> NEW.`period_key`))
BEGIN
	UPDATE `budget_usage` SET `committed_minor` = `committed_minor` - OLD.`amount_minor`
	WHERE OLD.`status` = 'committed' AND `tenant_id` = OLD.`tenant_id` AND `cap_id` = OLD.`cap_id`
		AND `period_key` = OLD.`period_key`;
	INSERT OR IGNORE INTO `budget_usage` (`tenant_id`, `cap_id`, `period_key`, `committed_minor`)
	SELECT NEW.`tenant_id`, NEW.`cap_id`, NEW.`period_key`, 0 WHERE NEW.`status` = 'committed';
	UPDATE `budget_usage` SET `committed_minor` = `committed_minor` + NEW.`amount_minor`
	WHERE NEW.`status` = 'committed' AND `tenant_id` = NEW.`tenant_id` AND `cap_id` = NEW.`cap_id`
		AND `period_key` = NEW.`period_key`;
END;
--> statement-breakpoint
CREATE TRIGGER `budget_usage_on_delete` AFTER DELETE ON `budget_ledger` WHEN OLD.`status` = 'committed'
BEGIN
	UPDATE `budget_usage` SET `committed_minor` = `committed_minor` - OLD.`amount_minor`
	WHERE `tenant_id` = OLD.`tenant_id` AND `cap_id` = OLD.`cap_id` AND `period_key` = OLD.`period_key`;
END;
