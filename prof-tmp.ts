import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderCertificatePdf } from '/work/main/src/lib/server/certificates/render-pdf.ts';
import { loadOrCreateKeyRing, signPayload } from '/work/main/src/lib/server/certificates/signing-keys.ts';
import { makePayload, makeView } from '/work/main/tests/fixtures/certificates/certificate-factory.ts';
const ring = loadOrCreateKeyRing({ dir: mkdtempSync(join(tmpdir(), 'k-')) });
const times: number[] = [];
for (let i = 0; i < 40; i++) {
  const p = makePayload({ keyId: ring.active.id });
  const t = performance.now();
  await renderCertificatePdf(makeView(p, signPayload(p, ring)));
  times.push(performance.now() - t);
}
console.log('first', times[0].toFixed(0), 'median', times.slice(1).sort((a, b) => a - b)[19].toFixed(1));
