// Preloaded into the server by `npm run bench -- --count-queries` (`node --import`): counts the SQL statements the
// server runs (every run/get/iterate of a prepared statement — `all` iterates, also when KIKO's statement cache reuses it) and
// writes them, most frequent first, to $KIKO_BENCH_QUERY_LOG when the server stops. Diagnostics only: it adds a
// little overhead of its own.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('libsql');
const counts = new Map();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql) {
  const stmt = prepare.call(this, sql);
  for (const method of ['run', 'get', 'iterate']) {
    const original = stmt[method];
    if (typeof original !== 'function') continue;
    stmt[method] = function (...args) {
      counts.set(sql, (counts.get(sql) ?? 0) + 1);
      return original.apply(this, args);
    };
  }
  return stmt;
};
process.once('SIGTERM', () => {
  const file = process.env.KIKO_BENCH_QUERY_LOG;
  if (file)
    writeFileSync(
      file,
      JSON.stringify(
        [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => ({ n, sql })),
        null,
        1,
      ),
    );
  process.exit(0);
});
