-- No index on lineage hashes: the verified chain already makes them unique, and an index of random keys cost
-- a page write per event.
DROP INDEX `lineage_hash`;
