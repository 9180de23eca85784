import { readFileSync } from 'node:fs';
import matter from 'gray-matter';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { formatLongDate } from '../../src/lib/shared/format.ts';
import { baseUrl, expectAccessible, launchBrowser, login, newContext } from '../setup/browser.ts';

const COURSE = 'ki-kompetenz-basis';
const LESSON = 'ki-auf-einen-blick';
const summary = String(matter(readFileSync(`courses/${COURSE}/01-${LESSON}.mdx`, 'utf8')).data.leichteSprache ?? '');
const quizStand = String((parse(readFileSync(`quizzes/${COURSE}.yaml`, 'utf8')) as { stand?: string }).stand ?? '');
// a learner no other browser test uses, so the lesson visits here change no other test's expectations
const LEARNER = 'berta.beispiel@beispielhausen.example';

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** axe runs as a script in the page, so it checks the same URLs in a second context with JavaScript on. */
let axePage: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  // the switch is a plain link: it must work with JavaScript turned off
  context = await browser.newContext({ baseURL: baseUrl(), locale: 'de-DE', javaScriptEnabled: false });
  page = await context.newPage();
  await login(page, LEARNER);
  axePage = await (await newContext(browser)).newPage();
  await login(axePage, LEARNER);
});

/** The page that `page` (JavaScript off) shows, checked with axe. */
async function expectSameUrlAccessible(): Promise<void> {
  await axePage.goto(page.url());
  expect(await axePage.locator('main').innerText()).toBe(await page.locator('main').innerText());
  await expectAccessible(axePage);
}
afterAll(async () => {
  await browser?.close();
});

describe('the Leichte-Sprache view of a lesson, without JavaScript', () => {
  test('switches to the summary and back with links that mark the current view, both views axe-clean', async () => {
    expect(summary.length, 'the test lesson has a summary in Leichter Sprache').toBeGreaterThan(80);
    await page.goto(`/kurse/${COURSE}/${LESSON}`);
    const views = page.getByRole('navigation', { name: 'Ansicht der Lektion' });
    await expect.poll(() => views.getByRole('link', { name: 'Standard-Text' }).getAttribute('aria-current')).toBe('page');
    expect(await views.getByRole('link', { name: 'Leichte Sprache' }).getAttribute('aria-current')).toBeNull();
    await expect.poll(() => page.locator('article').innerText()).toContain('Lernziele');
    await expectSameUrlAccessible();

    await views.getByRole('link', { name: 'Leichte Sprache' }).click();
    await page.waitForURL(/\?ansicht=leichte-sprache$/);
    expect(await views.getByRole('link', { name: 'Leichte Sprache' }).getAttribute('aria-current')).toBe('page');
    const section = page.locator('section[lang="de"]', { has: page.getByRole('heading', { name: 'Zusammenfassung in Leichter Sprache' }) });
    const lines = summary
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect(await section.locator('p').first().innerText()).toBe(lines[0]);
    expect(await section.locator('p').count()).toBe(lines.length + 2);
    await expect
      .poll(() => section.innerText())
      .toContain('Diese Zusammenfassung in Leichter Sprache ist noch nicht von einer Prüfgruppe geprüft.');
    await expectSameUrlAccessible();

    await views.getByRole('link', { name: 'Standard-Text' }).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/${LESSON}`) && url.search === '');
    expect(await views.getByRole('link', { name: 'Standard-Text' }).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.locator('article').innerText()).toContain('Das nehmen Sie mit');
  });

  test('shows no switch for a lesson without a summary', async () => {
    const withoutSummary = [
      ['02-hausregeln', 'hausregeln'],
      ['03-artikel-4', 'artikel-4'],
    ].find(([file]) => !matter(readFileSync(`courses/${COURSE}/${file}.mdx`, 'utf8')).data.leichteSprache);
    if (!withoutSummary) return; // every lesson of the course has its summary by now
    await page.goto(`/kurse/${COURSE}/${withoutSummary[1]}`);
    await expect.poll(() => page.locator('article').innerText()).toContain('Quellen');
    expect(await page.getByRole('navigation', { name: 'Ansicht der Lektion' }).count()).toBe(0);
  });
});

describe('the quiz start page', () => {
  test('shows the Stand of the quiz, formatted in German', async () => {
    expect(quizStand).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.goto(`/kurse/${COURSE}/quiz`);
    await expect.poll(() => page.locator('main').innerText()).toContain(`Stand: ${formatLongDate(quizStand)}`);
    await expectSameUrlAccessible();
  });
});

describe('the feedback to a quiz answer', () => {
  test('shows the Stand next to the source', async () => {
    await axePage.goto(`/kurse/${COURSE}/quiz`);
    await axePage.getByRole('button', { name: /Quiz (starten|fortsetzen)|Neuen Versuch starten/ }).click();
    await axePage.waitForURL(/\/quiz\/[0-9a-f-]{36}$/);
    const fieldset = axePage.locator('fieldset');
    // any valid answer will do: the first choice, or each select set to a different entry
    const choices = fieldset.locator('input[type="radio"], input[type="checkbox"]');
    if ((await choices.count()) > 0) await choices.first().check();
    const selects = fieldset.locator('select');
    for (let i = 0; i < (await selects.count()); i++) await selects.nth(i).selectOption({ index: i + 1 });
    await axePage.getByRole('button', { name: 'Antwort prüfen' }).click();
    await axePage.waitForURL(/rueckmeldung=/);
    await expect.poll(() => axePage.locator('section.review').innerText()).toContain(`Stand: ${formatLongDate(quizStand)}`);
  });
});
