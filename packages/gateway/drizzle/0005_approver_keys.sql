-- The approver registry, per tenant: each approver key, keyed (tenant_id, kid), bound to one subject of that tenant
-- and its roles, with the pinned public JWK and its RFC 7638 thumbprint (within a tenant, one kid per key material);
-- revocation is a status change, never a delete. Kids are not global, so no tenant learns another's kids or keys.
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
CREATE UNIQUE INDEX `approver_keys_thumbprint` ON `approver_keys` (`tenant_id`,`thumbprint`);