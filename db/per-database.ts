/**
 * A statement built once per database (or transaction) object and kept with it: drizzle builds the SQL text of a query
 * on every call, which on the hottest paths (session, lesson visit, quiz answer) cost more than running it. A query
 * prepared with placeholders is built once; the WeakMap lets it go with its database.
 */
export function perDatabase<D extends object, T>(build: (db: D) => T): (db: D) => T {
  const made = new WeakMap<D, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = build(db);
      made.set(db, value);
    }
    return value;
  };
}
