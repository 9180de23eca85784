/**
 * The JSON Lines format of an exported audit chain (version 1), read by verify-audit-export.ts without a database:
 *
 *   {"t":"header","kind":"kiko-audit-export","version":1,"chain":…,"tenant":{id,slug,name}|null,"exportedAt":…,
 *    "publicKeys":[{"keyId":"did:key:…#…","publicKey":"<raw base64url>","created":…,"retired":…}]}
 *   {"t":"checkpoint",…AuditCheckpoint}                    every stored checkpoint, the one made for the export last
 *   {"t":"entry","format":1,"seq":…,"tenantId":…,"at":<ms>,"actorId":…,"type":…,"subjectId":…,"data":…,"prevHash":…,"hash":…}
 *   {"t":"entry","format":2,"hash":…,"envelope":{…canonical envelope…},"personal":{"salt":…,"data":{…}|null,"erasedBy":…}|null}
 *
 * Checkpoints come before the entries so a verifier reading the file once can compare each entry with them.
 */

/** Kind marker of the header line. */
export const EXPORT_KIND = 'kiko-audit-export';
/** Version of the export format. */
export const EXPORT_VERSION = 1;

/** A public key listed in the header. */
export interface ExportedKey {
  keyId: string;
  publicKey: string;
  created: string;
  retired: string | null;
}

/** The first line of an export. */
export interface ExportHeader {
  t: 'header';
  kind: typeof EXPORT_KIND;
  version: typeof EXPORT_VERSION;
  chain: string;
  tenant: { id: string; slug: string; name: string } | null;
  exportedAt: string;
  publicKeys: ExportedKey[];
}
