-- The policy evaluation of a plan is stored once, as its PolicyEvaluation payload; the plans row keeps its
-- digest, so the row stays small and each state change rewrites little. Existing rows take the digest of
-- the payload whose body is their evaluation (the gateway always wrote both in one transaction).
ALTER TABLE `plans` ADD `evaluation_digest` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `plans` SET `evaluation_digest` = COALESCE((SELECT `digest` FROM `payloads` WHERE `payloads`.`kind` = 'PolicyEvaluation' AND `payloads`.`body` = `plans`.`evaluation`), '');--> statement-breakpoint
ALTER TABLE `plans` DROP COLUMN `evaluation`;
