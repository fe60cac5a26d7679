-- The approver registry, per tenant: each approver key, keyed (tenant_id, kid), bound to one subject of that tenant
-- and its roles, with the pinned public JWK and its RFC 7638 thumbprint (within a tenant, one kid per key material);
-- revocation is a status change, never a delete. Kids are not global, so no tenant learns another's kids or keys.
-- The key history (`keys`) keeps approver keys per tenant too: two tenants' keys under one kid are two keys. A key
-- recorded before stays under tenant '' (checkpoint and copilot keys are the gateway's) and, for an approver key,
-- is also kept under each tenant whose plans it approved (plan ids are still global here; 0006 scopes them).
CREATE TABLE `approver_keys` (
	`kid` text NOT NULL,
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
	`reason` text,
	PRIMARY KEY(`tenant_id`, `kid`)
);
--> statement-breakpoint
CREATE INDEX `approver_keys_tenant` ON `approver_keys` (`tenant_id`,`subject`);--> statement-breakpoint
CREATE UNIQUE INDEX `approver_keys_thumbprint` ON `approver_keys` (`tenant_id`,`thumbprint`);--> statement-breakpoint
CREATE TABLE `__new_keys` (
	`kid` text NOT NULL,
	`purpose` text NOT NULL,
	`tenant_id` text NOT NULL,
	`jwk` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`purpose`, `tenant_id`, `kid`)
);
--> statement-breakpoint
INSERT INTO `__new_keys`("kid", "purpose", "tenant_id", "jwk", "first_seen_at") SELECT "kid", "purpose", '', "jwk", "first_seen_at" FROM `keys`;--> statement-breakpoint
INSERT OR IGNORE INTO `__new_keys`("kid", "purpose", "tenant_id", "jwk", "first_seen_at") SELECT k."kid", k."purpose", p."tenant_id", k."jwk", k."first_seen_at" FROM `keys` k JOIN `approvals` a ON a."kid" = k."kid" JOIN `plans` p ON p."plan_id" = a."plan_id" WHERE k."purpose" = 'approver';--> statement-breakpoint
DROP TABLE `keys`;--> statement-breakpoint
ALTER TABLE `__new_keys` RENAME TO `keys`;