CREATE TABLE `invitations` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`subject` text NOT NULL,
	`roles` text NOT NULL,
	`access` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`challenge` text,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `invitations_subject` ON `invitations` (`tenant_id`,`subject`);--> statement-breakpoint
CREATE TABLE `passkeys` (
	`credential_id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`subject` text NOT NULL,
	`kid` text NOT NULL,
	`public_key` text NOT NULL,
	`sign_count` integer NOT NULL,
	`access` text NOT NULL,
	`transports` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `passkeys_subject` ON `passkeys` (`tenant_id`,`subject`);