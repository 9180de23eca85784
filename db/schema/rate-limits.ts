/** Counters for login rate limiting (shared by all server processes on the same database). */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const rateLimitTable = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull(),
  expire: integer('expire', { mode: 'timestamp_ms' }),
});
