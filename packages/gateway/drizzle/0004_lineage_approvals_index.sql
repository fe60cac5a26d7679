-- The seq of each approval.accepted event (a partial index, appended in order like the table): an export finds
-- the approval tokens its events refer to through it instead of reading every event a second time.
CREATE INDEX `lineage_approvals` ON `lineage_events` (`seq`) WHERE "lineage_events"."type" = 'approval.accepted';
