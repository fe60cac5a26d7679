import { defineConfig } from 'drizzle-kit';

/** drizzle-kit generates the committed PostgreSQL migrations under `drizzle-postgres/` from the schema. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/postgres/schema.ts',
  out: './drizzle-postgres',
});
