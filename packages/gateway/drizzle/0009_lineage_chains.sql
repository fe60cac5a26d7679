-- Lineage format 2 (issue 14): per-chain `seq`, `chain`, insertion-order `id`, `log_index` set by the sequencer.
-- Format-1 rows keep their global chain: `id` = `seq`, `chain` NULL and `log_index` = `seq` - 1, so every tree head
-- signed before stays provable. The gateway verifies the format-1 chain BEFORE applying this migration and refuses
-- a database whose chain does not verify (`store/sqlite/format1-check.ts`): SQL migrations cannot run that check.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_lineage_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`chain` text,
	`log_index` integer,
	`tenant_id` text NOT NULL,
	`plan_id` text,
	`type` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`body` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_lineage_events`("id", "seq", "chain", "log_index", "tenant_id", "plan_id", "type", "actor_type", "actor_id", "occurred_at", "body", "prev_hash", "hash") SELECT "seq", "seq", NULL, "seq" - 1, "tenant_id", "plan_id", "type", "actor_type", "actor_id", "occurred_at", "body", "prev_hash", "hash" FROM `lineage_events`;--> statement-breakpoint
DROP TABLE `lineage_events`;--> statement-breakpoint
ALTER TABLE `__new_lineage_events` RENAME TO `lineage_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `lineage_plan` ON `lineage_events` (`plan_id`);--> statement-breakpoint
CREATE INDEX `lineage_tenant` ON `lineage_events` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `lineage_chain` ON `lineage_events` (`tenant_id`,`plan_id`,`chain`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `lineage_log_index` ON `lineage_events` (`log_index`);--> statement-breakpoint
CREATE INDEX `lineage_approvals` ON `lineage_events` (`id`) WHERE "lineage_events"."type" = 'approval.accepted';