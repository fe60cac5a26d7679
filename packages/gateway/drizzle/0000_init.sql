CREATE TABLE `approvals` (
	`jti` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`option_id` text NOT NULL,
	`approver` text NOT NULL,
	`role` text NOT NULL,
	`decision` text NOT NULL,
	`kid` text NOT NULL,
	`token_digest` text NOT NULL,
	`max_spend_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_plan_approver` ON `approvals` (`plan_id`,`approver`);--> statement-breakpoint
CREATE TABLE `budget_caps` (
	`cap_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`scope_type` text NOT NULL,
	`scope_value` text NOT NULL,
	`period` text NOT NULL,
	`currency` text NOT NULL,
	`limit_minor` integer NOT NULL,
	`time_zone` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `cap_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `budget_caps_scope` ON `budget_caps` (`tenant_id`,`scope_type`,`scope_value`,`period`,`currency`);--> statement-breakpoint
CREATE TABLE `budget_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`cap_id` text NOT NULL,
	`period_key` text NOT NULL,
	`currency` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `budget_ledger_usage` ON `budget_ledger` (`tenant_id`,`cap_id`,`period_key`,`status`);--> statement-breakpoint
CREATE INDEX `budget_ledger_plan` ON `budget_ledger` (`plan_id`);--> statement-breakpoint
CREATE TABLE `controls` (
	`tenant_id` text NOT NULL,
	`scope_type` text NOT NULL,
	`scope_value` text NOT NULL,
	`reason` text NOT NULL,
	`paused_by` text NOT NULL,
	`paused_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `scope_type`, `scope_value`)
);
--> statement-breakpoint
CREATE TABLE `dispatches` (
	`idempotency_key` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`option_id` text NOT NULL,
	`action_index` integer NOT NULL,
	`action_id` text NOT NULL,
	`adapter` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`receipt_digest` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dispatches_due` ON `dispatches` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `dispatches_plan` ON `dispatches` (`plan_id`);--> statement-breakpoint
CREATE TABLE `keys` (
	`kid` text NOT NULL,
	`purpose` text NOT NULL,
	`jwk` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`purpose`, `kid`)
);
--> statement-breakpoint
CREATE TABLE `lineage_checkpoints` (
	`tree_size` integer PRIMARY KEY NOT NULL,
	`root_hash` text NOT NULL,
	`signed_at` integer NOT NULL,
	`kid` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `lineage_events` (
	`seq` integer PRIMARY KEY NOT NULL,
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
CREATE INDEX `lineage_plan` ON `lineage_events` (`plan_id`,`seq`);--> statement-breakpoint
CREATE INDEX `lineage_tenant` ON `lineage_events` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `lineage_hash` ON `lineage_events` (`hash`);--> statement-breakpoint
CREATE TABLE `payloads` (
	`digest` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `plans` (
	`plan_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`copilot_model` text NOT NULL,
	`digest` text NOT NULL,
	`state` text NOT NULL,
	`paused_from` text,
	`recommended_option_id` text NOT NULL,
	`selected_option_id` text,
	`submitted_by` text NOT NULL,
	`policy_version` text NOT NULL,
	`evaluation` text NOT NULL,
	`reason_code` text,
	`received_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`approval_deadline` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `plans_tenant_state` ON `plans` (`tenant_id`,`state`);--> statement-breakpoint
CREATE INDEX `plans_tenant_received` ON `plans` (`tenant_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`digest` text PRIMARY KEY NOT NULL,
	`policy_set_id` text NOT NULL,
	`label` text NOT NULL,
	`activated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `used_tokens` (
	`jti` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`used_at` integer NOT NULL
);
