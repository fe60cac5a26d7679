-- Plan ids are scoped per tenant: a plan is keyed (tenant_id, plan_id), so the same id in two tenants is two plans
-- and a foreign plan id answers as an unknown one (no existence oracle across tenants). Plan ids were globally
-- unique until now, so every existing row keeps its identity; approvals take their plan's tenant (the ledger,
-- the outbox and the lineage already carry tenant_id).
DROP INDEX `approvals_plan_approver`;--> statement-breakpoint
ALTER TABLE `approvals` ADD `tenant_id` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `approvals` SET `tenant_id` = COALESCE((SELECT `tenant_id` FROM `plans` WHERE `plans`.`plan_id` = `approvals`.`plan_id`), '');--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_plan_approver` ON `approvals` (`tenant_id`,`plan_id`,`approver`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_plans` (
	`plan_id` text NOT NULL,
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
	`evaluation_digest` text NOT NULL,
	`reason_code` text,
	`received_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`approval_deadline` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `plan_id`)
);
--> statement-breakpoint
INSERT INTO `__new_plans`("plan_id", "tenant_id", "workflow_id", "copilot_model", "digest", "state", "paused_from", "recommended_option_id", "selected_option_id", "submitted_by", "policy_version", "evaluation_digest", "reason_code", "received_at", "updated_at", "approval_deadline", "expires_at") SELECT "plan_id", "tenant_id", "workflow_id", "copilot_model", "digest", "state", "paused_from", "recommended_option_id", "selected_option_id", "submitted_by", "policy_version", "evaluation_digest", "reason_code", "received_at", "updated_at", "approval_deadline", "expires_at" FROM `plans`;--> statement-breakpoint
DROP TABLE `plans`;--> statement-breakpoint
ALTER TABLE `__new_plans` RENAME TO `plans`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `plans_tenant_state` ON `plans` (`tenant_id`,`state`);--> statement-breakpoint
CREATE INDEX `plans_tenant_received` ON `plans` (`tenant_id`,`received_at`);