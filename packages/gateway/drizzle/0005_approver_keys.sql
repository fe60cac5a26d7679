-- The approver registry: each approver key (kid) bound to one subject, one tenant and its roles, with the pinned
-- public JWK and its RFC 7638 thumbprint (one kid per key material); revocation is a status change, never a delete.
CREATE TABLE `approver_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`subject` text NOT NULL,
	`roles` text NOT NULL,
	`jwk` text NOT NULL,
	`thumbprint` text NOT NULL,
	`status` text NOT NULL,
	`registered_at` integer NOT NULL,
	`registered_by` text NOT NULL,
	`revoked_at` integer,
	`revoked_by` text,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `approver_keys_tenant` ON `approver_keys` (`tenant_id`,`subject`);--> statement-breakpoint
CREATE UNIQUE INDEX `approver_keys_thumbprint` ON `approver_keys` (`thumbprint`);