/**
 * The shape of an Open Badges 3.0 credential as KIKO issues it (open-badge.ts `credentialOf` plus the Data
 * Integrity proof), checked BEFORE any JSON-LD canonicalisation. Canonicalising (RDFC-1.0) costs far more than
 * linear time in the size of odd input — a 1.5 MB file with 150,000 tags kept the server busy for minutes — so an
 * upload is first held to size, nesting depth, array lengths and exactly the keys KIKO writes (strict objects).
 * A credential KIKO did not issue cannot be genuine, so nothing legitimate is lost.
 */
import { z } from 'zod';

/** Limits of an uploaded credential; a KIKO credential has about 3 KB, depth 4 and a handful of tags. */
export const CREDENTIAL_LIMITS = { maxBytes: 64 * 1024, maxDepth: 6, maxTags: 50, maxText: 8_000 } as const;

const text = (max: number = CREDENTIAL_LIMITS.maxText) => z.string().min(1).max(max);
const url = z
  .string()
  .max(2_000)
  .regex(/^https?:\/\/\S+$/);
const did = z
  .string()
  .max(200)
  .regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/);
const instant = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);

/** A KIKO Open Badges 3.0 credential; unknown keys anywhere are refused. */
export const kikoCredentialSchema = z.strictObject({
  // the extensions context (for credentialSchema) is absent in credentials downloaded before KIKO added it
  '@context': z.union([
    z.tuple([
      z.literal('https://www.w3.org/ns/credentials/v2'),
      z.string().max(200).startsWith('https://purl.imsglobal.org/spec/ob/v3p0/context-'),
      z.literal('https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'),
    ]),
    z.tuple([
      z.literal('https://www.w3.org/ns/credentials/v2'),
      z.string().max(200).startsWith('https://purl.imsglobal.org/spec/ob/v3p0/context-'),
    ]),
  ]),
  id: url,
  type: z.tuple([z.literal('VerifiableCredential'), z.literal('OpenBadgeCredential')]),
  name: text(500),
  description: text(),
  issuer: z.strictObject({ id: did, type: z.tuple([z.literal('Profile')]), name: text(300), url }),
  validFrom: instant,
  validUntil: instant.optional(),
  credentialSubject: z.strictObject({
    type: z.tuple([z.literal('AchievementSubject')]),
    name: text(300),
    // optional: credentials downloaded before KIKO added them stay verifiable
    identifier: z
      .tuple([
        z.strictObject({
          type: z.literal('IdentityObject'),
          identityHash: z.string().regex(/^sha256\$[0-9a-f]{64}$/),
          identityType: z.literal('emailAddress'),
          hashed: z.literal(true),
          salt: z.string().regex(/^[0-9a-f]{8,64}$/),
        }),
      ])
      .optional(),
    achievement: z.strictObject({
      id: url,
      type: z.tuple([z.literal('Achievement')]),
      achievementType: z.enum(['Certificate', 'CertificateOfCompletion']),
      name: text(500),
      description: text(),
      criteria: z.strictObject({ narrative: text() }),
      image: z.strictObject({ id: url, type: z.literal('Image'), caption: text(600) }).optional(),
      tag: z.array(text(300)).min(1).max(CREDENTIAL_LIMITS.maxTags).optional(),
      inLanguage: z.literal('de'),
    }),
  }),
  credentialSchema: z.tuple([z.strictObject({ id: url, type: z.literal('1EdTechJsonSchemaValidator2019') })]).optional(),
  proof: z.strictObject({
    type: z.literal('DataIntegrityProof'),
    created: z
      .string()
      .max(40)
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/),
    verificationMethod: z
      .string()
      .max(300)
      .regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+#z[1-9A-HJ-NP-Za-km-z]+$/),
    cryptosuite: z.literal('eddsa-rdfc-2022'),
    proofPurpose: z.literal('assertionMethod'),
    proofValue: z
      .string()
      .max(200)
      .regex(/^z[1-9A-HJ-NP-Za-km-z]+$/),
  }),
});

/** A credential that passed the shape check. */
export type KikoCredential = z.infer<typeof kikoCredentialSchema>;

/** Deepest nesting of objects and arrays in JSON text (one linear pass, strings skipped); Infinity if unbalanced. */
export function jsonDepth(json: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return depth === 0 ? max : Number.POSITIVE_INFINITY;
}

export type CredentialCheck = { ok: true; credential: KikoCredential } | { ok: false; reason: string };

const NOT_KIKO = 'Die Datei ist kein Open-Badges-Nachweis in der Form, in der KIKO ihn ausstellt';

/**
 * Checks an uploaded JSON file before any expensive work: size, nesting depth, then the strict schema.
 * Returns the credential or a German reason.
 */
export function checkCredentialShape(bytes: Uint8Array): CredentialCheck {
  if (bytes.byteLength > CREDENTIAL_LIMITS.maxBytes)
    return {
      ok: false,
      reason: `${NOT_KIKO}: Sie ist zu groß (höchstens ${CREDENTIAL_LIMITS.maxBytes / 1024} KB; ein KIKO-Nachweis hat wenige KB).`,
    };
  const json = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (jsonDepth(json) > CREDENTIAL_LIMITS.maxDepth) return { ok: false, reason: `${NOT_KIKO}: Sie ist zu tief verschachtelt.` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'Die Datei ist weder ein KIKO-Zertifikat (PDF) noch ein Open-Badges-Nachweis (JSON).' };
  }
  const result = kikoCredentialSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` (Feld „${issue.path.join('.')}“)` : '';
    return { ok: false, reason: `${NOT_KIKO}${where}.` };
  }
  return { ok: true, credential: result.data };
}
