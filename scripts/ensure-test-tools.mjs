// `npm test` needs a few Debian tools: Chromium for the browser tests, qpdf and poppler-utils for the PDF checks,
// LibreOffice Calc for the spreadsheet round trips of evidence exports, Java for the Nu HTML Checker (vnu-jar; its own
// Java download stays off, see package.json allowScripts).
// When one is missing and the tests run as root (CI, a fresh container), they are installed with apt-get;
// otherwise the run stops at once and names the one command that installs them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → a file it provides that the tests use. */
const tools = [
  { pkg: 'chromium', file: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  { pkg: 'qpdf', file: '/usr/bin/qpdf' },
  { pkg: 'poppler-utils', file: '/usr/bin/pdftotext' },
  { pkg: 'fonts-dejavu-core', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
  // opens exported CSV/XLSX files the way a spreadsheet would (evidence export round trips)
  { pkg: 'libreoffice-calc', file: '/usr/bin/soffice' },
  { pkg: 'default-jre-headless', file: '/usr/bin/java' },
];

const missing = tools.filter((t) => !existsSync(t.file)).map((t) => t.pkg);
if (missing.length > 0) {
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(`KIKO-Tests brauchen: ${missing.join(', ')}. Bitte einmal als root ausführen:\n  ${command}`);
    process.exit(1);
  }
  console.log(`Installiere fehlende Testwerkzeuge: ${missing.join(', ')} …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...missing],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} ist fehlgeschlagen (Status ${r.status}). Bitte ausführen:\n  ${command}`);
      process.exit(1);
    }
  }
}
