CREATE TABLE `contact_sends` (
	`tenant_id` text NOT NULL,
	`recipient_key` text NOT NULL,
	`channel` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`plan_id` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `recipient_key`, `channel`, `idempotency_key`)
);
--> statement-breakpoint
CREATE INDEX `contact_sends_recent` ON `contact_sends` (`tenant_id`,`recipient_key`,`sent_at`);