import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { type Quiz, quizSchema } from '../../src/lib/shared/content-schema.ts';
import { expectAccessible, launchBrowser, login, newContext } from '../setup/browser.ts';

const COURSE = 'ki-kompetenz-basis';
const quiz: Quiz = quizSchema.parse(parse(readFileSync(`quizzes/${COURSE}.yaml`, 'utf8')));

let browser: Browser;
let context: BrowserContext;
let page: Page;
beforeAll(async () => {
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** Presses a control with the keyboard only: focus it, then Enter/Space as a keyboard user would. */
async function press(locator: ReturnType<Page['locator']>, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
  await locator.focus();
  await page.keyboard.press(key);
}

/** Chooses option `index` (1-based, after the placeholder) of a closed select with the arrow keys. */
async function chooseByKeyboard(select: ReturnType<Page['locator']>, index: number): Promise<void> {
  await select.focus();
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
}

const secretMarkers = (q: Quiz): string[] =>
  q.items
    .flatMap((i) => [i.explanation, ...('options' in i ? i.options.flatMap((o) => (o.feedback ? [o.feedback] : [])) : [])])
    .filter((t) => t.length > 30);

/** Answers the item shown on the page correctly, using the answer key the test reads from the quiz file. */
async function answerCorrectly(): Promise<void> {
  const legend = (await page.locator('fieldset legend').innerText()).split('\n').at(-1)?.trim() ?? '';
  const item = quiz.items.find((i) => i.prompt.trim() === legend);
  expect(item, `Frage „${legend}“ im Quiz gefunden`).toBeDefined();
  if (!item) return;
  const fieldset = page.locator('fieldset');
  switch (item.type) {
    case 'single':
    case 'scenario':
    case 'multiple':
      for (const o of item.options.filter((x) => x.correct)) await press(fieldset.getByLabel(o.text, { exact: true }), 'Space');
      break;
    case 'truefalse':
      await press(fieldset.getByLabel(item.answer ? 'Richtig' : 'Falsch', { exact: true }), 'Space');
      break;
    case 'ordering':
      for (const [i, s] of item.steps.entries()) await chooseByKeyboard(fieldset.getByLabel(s.text, { exact: true }), i + 1);
      break;
    case 'matching':
      for (const p of item.pairs) {
        const select = fieldset.getByLabel(p.left, { exact: true });
        const options = await select.locator('option').allInnerTexts();
        await chooseByKeyboard(select, options.indexOf(p.right));
      }
      break;
  }
}

describe('a learner completes a course with the keyboard only', () => {
  test('reads every lesson, passes the quiz with feedback per answer, and sees the course completed', async () => {
    await login(page, 'jonas.jugendamt@musterstadt.example');
    await expectAccessible(page);
    await press(page.getByRole('link', { name: 'KI-Kompetenz kompakt' }).first());
    await page.waitForURL(`**/kurse/${COURSE}`);
    await expectAccessible(page);
    await press(page.getByRole('link', { name: 'Kurs beginnen' }));

    for (let lesson = 1; lesson <= 3; lesson++) {
      await page.waitForURL(new RegExp(`/kurse/${COURSE}/[a-z0-9-]+$`));
      await expect.poll(() => page.locator('main').innerText()).toContain('Stand:');
      await expect.poll(() => page.locator('main').innerText()).toContain('Quellen');
      if (lesson === 1) {
        await expectAccessible(page);
        // a second visit shows the same lesson body (served from the per-process render cache)
        const first = await page.locator('article').innerText();
        expect(first.length).toBeGreaterThan(500);
        await page.reload();
        expect(await page.locator('article').innerText()).toBe(first);
      }
      // lesson pages ship no JavaScript
      expect(await page.locator('script[src], script[type="module"]').count()).toBe(0);
      await press(page.getByRole('button', { name: /^Erledigt/ }));
    }
    await page.waitForURL(`**/kurse/${COURSE}/quiz`);
    await expectAccessible(page);
    await press(page.getByRole('button', { name: 'Quiz starten' }));
    await page.waitForURL(new RegExp(`/kurse/${COURSE}/quiz/[0-9a-f-]{36}$`));

    const drawn = quiz.draw ?? quiz.items.length;
    for (let n = 1; n <= drawn; n++) {
      await page.locator('fieldset legend').waitFor();
      const html = await page.content();
      // before an answer is submitted the page holds no answer key, explanation or feedback
      expect(html).not.toMatch(/correct|"answer"|richtig ist/i);
      for (const marker of secretMarkers(quiz)) expect(html).not.toContain(marker);
      if (n === 1) await expectAccessible(page);
      await answerCorrectly();
      await press(page.getByRole('button', { name: 'Antwort prüfen' }));
      if (n < drawn) {
        await page.waitForURL(/rueckmeldung=/);
        await expect.poll(() => page.getByRole('heading', { level: 2 }).first().innerText()).toMatch(/Frage \d+: Richtig/);
        await expect.poll(() => page.locator('main').innerText()).toContain('Erklärung:');
        if (n === 1) await expectAccessible(page);
        await press(page.getByRole('link', { name: 'Nächste Frage' }));
        await page.waitForURL((url) => !url.search.includes('rueckmeldung'));
      }
    }
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Bestanden: 100 %');
    await expectAccessible(page);

    await page.goto('/lernen');
    const card = page.locator('li.card', { hasText: 'KI-Kompetenz kompakt' });
    await expect.poll(() => card.innerText()).toContain('Abgeschlossen');
    await page.goto('/verlauf');
    await expect.poll(() => page.locator('main').innerText()).toContain('KI-Kompetenz kompakt');
    await expectAccessible(page);
  });

  test('shows a German 404 for a quiz attempt of someone else or a tampered id', async () => {
    const res = await page.goto(`/kurse/${COURSE}/quiz/00000000-0000-4000-8000-000000000000`);
    expect(res?.status()).toBe(404);
  });
});
