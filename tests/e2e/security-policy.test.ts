/**
 * The Content-Security-Policy holds in the browser: an injected inline script does not run (and is reported), another
 * site cannot frame KIKO, inline style attributes still apply, and the search index stays closed to a browser that is
 * not signed in.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { baseUrl, expectAccessible, login, useFreshPagePerTest } from '../setup/browser.ts';
import { takePolicyViolations } from '../setup/page-checks.ts';

const fresh = useFreshPagePerTest();
let page: Page;
beforeEach(() => {
  page = fresh.page();
});

describe('Content-Security-Policy in the browser', () => {
  test('blocks an injected inline script and an inline event handler, and reports them', async () => {
    await page.goto('/anmelden');
    await expectAccessible(page);
    const ran = await page.evaluate(async () => {
      const w = window as unknown as { injected?: boolean; handler?: boolean };
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.handler = true');
      img.src = '/gibt-es-nicht.png';
      document.body.append(img);
      await new Promise((r) => setTimeout(r, 300));
      return { injected: w.injected === true, handler: w.handler === true };
    });
    expect(ran).toEqual({ injected: false, handler: false });
    const reported = takePolicyViolations();
    expect(reported.some((v) => /script-src/.test(v))).toBe(true);
  });

  test('another page cannot frame KIKO (frame-ancestors)', async () => {
    await page.goto('/anmelden');
    // a page of another origin (about:blank here) that frames the login page
    const other = await page.context().newPage();
    await other.setContent(`<iframe title="KIKO" src="${baseUrl()}/anmelden"></iframe>`);
    await other.waitForTimeout(500);
    const child = other.mainFrame().childFrames()[0];
    expect(child, 'the page has its frame').toBeDefined();
    const framedText = await (child as NonNullable<typeof child>).evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(framedText).not.toContain('Passwort');
    await other.close();
    // Chromium refuses the frame and says why on the framing page's console
    expect(takePolicyViolations().some((v) => v.includes('frame-ancestors'))).toBe(true);
  });

  test('keeps inline style attributes (progress bars) working and the search index closed without login', async () => {
    await login(page, 'lena.lernende@musterstadt.example');
    await page.goto('/lernen');
    // the learning path's progress bar is an inline width; blocked, the computed width would be 0 or auto
    const bar = page.locator('.progress span').first();
    const { inline, computed } = await bar.evaluate((el: HTMLElement) => ({
      inline: el.style.width,
      computed: getComputedStyle(el).width,
    }));
    expect(inline).toMatch(/^\d+(\.\d+)?%$/);
    if (inline !== '0%') expect(Number.parseFloat(computed)).toBeGreaterThan(0);
    const anonymous = await fresh.browser().newContext();
    const res = await anonymous.request.get(`${baseUrl()}/pagefind/pagefind.js`, { maxRedirects: 0 });
    expect(res.status()).toBe(302);
    expect(res.headers().location).toBe('/anmelden');
    await anonymous.close();
  });

  test('allows the style element of a server-rendered Plot chart, and no other inline style element', async () => {
    await page.goto('/anmelden');
    // a chart as src/lib/server/charts renders it (Plot on linkedom, default class name), inlined into the page
    const { document } = parseHTML('<!doctype html><html><body></body></html>');
    const svg = Plot.plot({
      document: document as unknown as Document,
      marks: [Plot.barX([{ kurs: 'Basis', n: 3 }], { x: 'n', y: 'kurs' })],
    }).outerHTML;
    const maxWidth = await page.evaluate((html) => {
      document.querySelector('main')?.insertAdjacentHTML('beforeend', html);
      const chart = document.querySelector('main svg[class^="plot-"]');
      return chart ? getComputedStyle(chart).maxWidth : null;
    }, svg);
    expect(maxWidth).toBe('100%');
    await page.waitForTimeout(200);
    expect(takePolicyViolations()).toEqual([]);
    // any other style element is refused
    const color = await page.evaluate(() => {
      document.querySelector('main')?.insertAdjacentHTML('beforeend', '<style>main h1 { color: rgb(255, 0, 0); }</style>');
      const h1 = document.querySelector('main h1');
      return h1 ? getComputedStyle(h1).color : null;
    });
    expect(color).not.toBe('rgb(255, 0, 0)');
    await page.waitForTimeout(200);
    expect(takePolicyViolations().some((v) => /style-src/.test(v))).toBe(true);
  });
});
