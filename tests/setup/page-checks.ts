/**
 * Checks on every page the browser tests visit, without each test asking for them: every browser context of a
 * test file (launchBrowser in browser.ts) reports Content-Security-Policy violations and the HTML of each page it
 * loads. tests/setup/e2e-file.ts fails a test that caused a violation, and checks all pages of the file in ONE run
 * of the Nu HTML Checker (vnu.jar with the system's Java; starting it takes seconds) at the end of the file.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, ConsoleMessage } from 'playwright-core';

const VNU_JAR = resolve('node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const INSTALL_JAVA = 'apt-get install -y default-jre-headless';

interface VisitedPage {
  url: string;
  html: string;
}

const pages = new Map<string, VisitedPage>();
const pending: Array<Promise<void>> = [];
let violations: string[] = [];

/** Console lines of Chromium (and of the listener below) that report a refused policy. */
const POLICY_MESSAGE = /Content[- ]Security[- ]Policy|Permissions-Policy|securitypolicyviolation/i;

/**
 * Starts watching one browser context: policy violations and the HTML of every page it loads, for pages of KIKO
 * (`origin`) only — another site a test visits (a test identity provider's login form) is not KIKO's to check.
 */
export async function watchContext(context: BrowserContext, origin: string): Promise<void> {
  // about:blank: a page the test writes itself (e.g. one that tries to frame KIKO)
  const own = (url: string | undefined): boolean => url?.startsWith(`${origin}/`) === true || url === origin || url === 'about:blank';
  // also the violations the console does not show (reported to the page only); runs before any page script
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  const onConsole = (msg: ConsoleMessage): void => {
    const where = msg.page()?.url() || msg.location().url;
    if ((msg.type() === 'error' || msg.type() === 'warning') && POLICY_MESSAGE.test(msg.text()) && (own(where) || !where))
      violations.push(`${where || '?'}: ${msg.text()}`);
  };
  context.on('console', onConsole);
  // a Web Worker (the search's) has a policy of its own and reports to its own console
  context.on('page', (page) => page.on('worker', (worker) => worker.on('console', onConsole)));
  context.on('response', (response) => {
    const request = response.request();
    if (request.resourceType() !== 'document' || !(response.headers()['content-type'] ?? '').startsWith('text/html')) return;
    // pages only: a frame is KIKO framed by another page (refused by frame-ancestors, its body is the browser's own)
    if (request.frame().parentFrame() !== null) return;
    const url = response.url();
    if (!own(url)) return;
    pending.push(
      response.text().then(
        (html) => rememberPage(url, html),
        () => undefined, // the page was closed before its body was read (a redirect, or the test moved on)
      ),
    );
  });
}

/** Keeps a page's HTML for the next checkVisitedHtml (a page seen twice with the same HTML is checked once). */
export function rememberPage(url: string, html: string): void {
  const key = createHash('sha256').update(html).digest('hex');
  if (!pages.has(key)) pages.set(key, { url, html });
}

/** The policy violations since the last call (and forgets them). */
export function takePolicyViolations(): string[] {
  const found = violations;
  violations = [];
  return found;
}

interface VnuMessage {
  type: string;
  subType?: string;
  url?: string;
  lastLine?: number;
  firstColumn?: number;
  message: string;
  extract?: string;
}

/**
 * Checks the pages visited so far with the Nu HTML Checker and forgets them. Returns one line per error
 * ("URL:line:column message"); warnings and info are not errors of the document and are left out.
 */
export async function checkVisitedHtml(): Promise<{ checked: number; errors: string[] }> {
  await Promise.all(pending.splice(0));
  const visited = [...pages.values()];
  pages.clear();
  if (visited.length === 0) return { checked: 0, errors: [] };
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0)
    return { checked: 0, errors: [`Java fehlt für den HTML-Check (vnu.jar): bitte als root ausführen: ${INSTALL_JAVA}`] };
  const dir = mkdtempSync(join(tmpdir(), 'kiko-vnu-'));
  try {
    const files = visited.map((p, i) => {
      const file = join(dir, `${String(i).padStart(3, '0')}.html`);
      writeFileSync(file, p.html);
      return file;
    });
    const run = spawnSync('java', ['-Xss8m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', '--exit-zero-always', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.error || run.status !== 0) return { checked: 0, errors: [`vnu.jar: ${run.error?.message ?? run.stderr}`] };
    // vnu writes its JSON report to stderr
    const report = JSON.parse(run.stderr || run.stdout) as { messages: VnuMessage[] };
    const urlOf = new Map(files.map((f, i) => [`file:${f}`, visited[i]?.url ?? f]));
    const errors = report.messages
      .filter((m) => m.type === 'error' || m.subType === 'fatal')
      .map((m) => {
        const where = urlOf.get(m.url ?? '') ?? m.url ?? '?';
        return `${where}:${m.lastLine ?? '?'}:${m.firstColumn ?? '?'} ${m.message}${m.extract ? ` — „${m.extract.trim().slice(0, 120)}“` : ''}`;
      });
    return { checked: visited.length, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the checker can run here (the jar is installed; its own Java download stays switched off). */
export function vnuAvailable(): boolean {
  return existsSync(VNU_JAR);
}
