CREATE TABLE "approvals" (
	"jti" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"option_id" text NOT NULL,
	"approver" text NOT NULL,
	"role" text NOT NULL,
	"decision" text NOT NULL,
	"kid" text NOT NULL,
	"token_digest" text NOT NULL,
	"max_spend_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approver_keys" (
	"kid" text NOT NULL,
	"tenant_id" text NOT NULL,
	"subject" text NOT NULL,
	"roles" text NOT NULL,
	"jwk" text NOT NULL,
	"thumbprint" text NOT NULL,
	"status" text NOT NULL,
	"registered_at" bigint NOT NULL,
	"registered_by" text NOT NULL,
	"revoked_at" bigint,
	"revoked_by" text,
	"reason" text,
	CONSTRAINT "approver_keys_tenant_id_kid_pk" PRIMARY KEY("tenant_id","kid")
);
--> statement-breakpoint
CREATE TABLE "budget_caps" (
	"cap_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"scope_type" text NOT NULL,
	"scope_value" text NOT NULL,
	"period" text NOT NULL,
	"currency" text NOT NULL,
	"limit_minor" bigint NOT NULL,
	"time_zone" text NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "budget_caps_tenant_id_cap_id_pk" PRIMARY KEY("tenant_id","cap_id")
);
--> statement-breakpoint
CREATE TABLE "budget_ledger" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "budget_ledger_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"plan_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"cap_id" text NOT NULL,
	"period_key" text NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"status" text NOT NULL,
	"expires_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "budget_usage" (
	"tenant_id" text NOT NULL,
	"cap_id" text NOT NULL,
	"period_key" text NOT NULL,
	"reserved_minor" bigint DEFAULT 0 NOT NULL,
	"committed_minor" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "budget_usage_tenant_id_cap_id_period_key_pk" PRIMARY KEY("tenant_id","cap_id","period_key")
);
--> statement-breakpoint
CREATE TABLE "contact_sends" (
	"tenant_id" text NOT NULL,
	"recipient_key" text NOT NULL,
	"channel" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"plan_id" text NOT NULL,
	"sent_at" bigint NOT NULL,
	CONSTRAINT "contact_sends_tenant_id_recipient_key_channel_idempotency_key_pk" PRIMARY KEY("tenant_id","recipient_key","channel","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "controls" (
	"tenant_id" text NOT NULL,
	"scope_type" text NOT NULL,
	"scope_value" text NOT NULL,
	"reason" text NOT NULL,
	"paused_by" text NOT NULL,
	"paused_at" bigint NOT NULL,
	CONSTRAINT "controls_tenant_id_scope_type_scope_value_pk" PRIMARY KEY("tenant_id","scope_type","scope_value")
);
--> statement-breakpoint
CREATE TABLE "dispatches" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"plan_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"option_id" text NOT NULL,
	"action_index" integer NOT NULL,
	"action_id" text NOT NULL,
	"adapter" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"last_error" text,
	"receipt_digest" text,
	"reverses" text,
	"lease_owner" text,
	"lease_until" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"subject" text NOT NULL,
	"roles" text NOT NULL,
	"access" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"challenge" text,
	"used_at" bigint
);
--> statement-breakpoint
CREATE TABLE "keys" (
	"kid" text NOT NULL,
	"purpose" text NOT NULL,
	"tenant_id" text NOT NULL,
	"jwk" text NOT NULL,
	"first_seen_at" bigint NOT NULL,
	CONSTRAINT "keys_purpose_tenant_id_kid_pk" PRIMARY KEY("purpose","tenant_id","kid")
);
--> statement-breakpoint
CREATE TABLE "lineage_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"signed_at" bigint NOT NULL,
	"kid" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lineage_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lineage_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"seq" bigint NOT NULL,
	"chain" text,
	"log_index" bigint,
	"tenant_id" text NOT NULL,
	"plan_id" text,
	"type" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"occurred_at" bigint NOT NULL,
	"body" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "lineage_chain" UNIQUE NULLS NOT DISTINCT("tenant_id","plan_id","chain","seq")
);
--> statement-breakpoint
CREATE TABLE "passkeys" (
	"credential_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"subject" text NOT NULL,
	"kid" text NOT NULL,
	"public_key" text NOT NULL,
	"sign_count" bigint NOT NULL,
	"access" text NOT NULL,
	"transports" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payloads" (
	"digest" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"body" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"plan_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"copilot_model" text NOT NULL,
	"digest" text NOT NULL,
	"state" text NOT NULL,
	"paused_from" text,
	"recommended_option_id" text NOT NULL,
	"selected_option_id" text,
	"submitted_by" text NOT NULL,
	"policy_version" text NOT NULL,
	"evaluation_digest" text NOT NULL,
	"reason_code" text,
	"received_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"approval_deadline" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "plans_tenant_id_plan_id_pk" PRIMARY KEY("tenant_id","plan_id")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"digest" text PRIMARY KEY NOT NULL,
	"policy_set_id" text NOT NULL,
	"label" text NOT NULL,
	"activated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "used_tokens" (
	"jti" text PRIMARY KEY NOT NULL,
	"plan_id" text NOT NULL,
	"used_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_plan_approver" ON "approvals" USING btree ("tenant_id","plan_id","approver");--> statement-breakpoint
CREATE INDEX "approver_keys_tenant" ON "approver_keys" USING btree ("tenant_id","subject");--> statement-breakpoint
CREATE UNIQUE INDEX "approver_keys_thumbprint" ON "approver_keys" USING btree ("tenant_id","thumbprint");--> statement-breakpoint
CREATE UNIQUE INDEX "budget_caps_scope" ON "budget_caps" USING btree ("tenant_id","scope_type","scope_value","period","currency");--> statement-breakpoint
CREATE INDEX "budget_ledger_usage" ON "budget_ledger" USING btree ("tenant_id","cap_id","period_key","status");--> statement-breakpoint
CREATE INDEX "budget_ledger_plan" ON "budget_ledger" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX "contact_sends_recent" ON "contact_sends" USING btree ("tenant_id","recipient_key","sent_at");--> statement-breakpoint
CREATE INDEX "dispatches_due" ON "dispatches" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "dispatches_plan" ON "dispatches" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX "dispatches_lease" ON "dispatches" USING btree ("status","lease_until");--> statement-breakpoint
CREATE INDEX "invitations_subject" ON "invitations" USING btree ("tenant_id","subject");--> statement-breakpoint
CREATE INDEX "lineage_plan" ON "lineage_events" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX "lineage_tenant" ON "lineage_events" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lineage_log_index" ON "lineage_events" USING btree ("log_index");--> statement-breakpoint
CREATE INDEX "lineage_unsequenced" ON "lineage_events" USING btree ("id") WHERE "lineage_events"."log_index" is null;--> statement-breakpoint
CREATE INDEX "lineage_approvals" ON "lineage_events" USING btree ("id") WHERE "lineage_events"."type" = 'approval.accepted';--> statement-breakpoint
CREATE INDEX "passkeys_subject" ON "passkeys" USING btree ("tenant_id","subject");--> statement-breakpoint
CREATE INDEX "plans_tenant_state" ON "plans" USING btree ("tenant_id","state");--> statement-breakpoint
CREATE INDEX "plans_tenant_received" ON "plans" USING btree ("tenant_id","received_at");