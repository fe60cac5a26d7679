import { defineConfig } from 'drizzle-kit';

/** drizzle-kit generates the committed SQLite migrations under `drizzle/` from the schema. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/sqlite/schema.ts',
  out: './drizzle',
});
