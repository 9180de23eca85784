/**
 * Exam day: many learners start the same quiz at the same instant and answer it page by page with think time,
 * modelled on a public Moodle 4.5 load test (2,000–3,000 simultaneous users, 16 questions over 8 pages, 30–90 s
 * think time). KIKO's quiz draws its questions one per page, each followed by a feedback page, so a learner here:
 *
 *   1. at the common start instant: POST startQuiz (303 → the attempt), GET the first question;
 *   2. per question: think, POST answerQuizItem with a valid answer read from the HTML form (303), GET the
 *      feedback page, GET the next question; after the last answer the redirect shows the result.
 *
 * Requests go through one undici Pool with a bounded number of connections, as a proxy or a busy browser fleet
 * would; latency is measured from the moment a learner issues the request, so waiting for a free connection counts.
 * Every answer the server acknowledged (HTTP 303) is recorded for a database check afterwards.
 */
import { Pool } from 'undici';
import { seededRandom } from '../../src/lib/server/quizzes/draw-attempt.ts';
import { type LatencySummary, Samples, summarize } from './stats.ts';

export interface ExamDayOptions {
  baseUrl: string;
  /** Cookie header value per learner (sessions created beforehand). */
  cookies: readonly string[];
  courseId: string;
  /** Multiplies the 30–90 s think time; 0 = no thinking. */
  thinkScale: number;
  thinkMinS?: number;
  thinkMaxS?: number;
  /** Connections of the client pool. */
  connections?: number;
  /** Delay before the common start, so every learner is waiting for it. */
  startDelayMs?: number;
  requestTimeoutMs?: number;
  /** A learner gives up after this many failed requests. */
  maxErrorsPerLearner?: number;
  seed?: string;
  /** Learners still answering this long after the start stop after their current request (counted as cut off). */
  timeLimitS?: number;
  /** Called now and then with (learners finished, learners). */
  onProgress?: (finished: number, total: number) => void;
}

export interface ExamDayResult {
  learners: number;
  finished: number;
  /** Gave up after repeated errors. */
  abandoned: number;
  /** Stopped by the time limit. */
  cutOff: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  /** Requests of the start phase: startQuiz POSTs and the first question pages. */
  startSpike: LatencySummary;
  /** From the common start instant until a learner's first question page has arrived. */
  timeToFirstQuestion: LatencySummary;
  /** All requests after the first question page. */
  steady: LatencySummary;
  /** The answer POSTs alone. */
  answers: LatencySummary;
  acknowledged: Array<[string, string]>;
  /** Steady-phase latency per 30 s window since the start (by request start), to tell spike overlap from load. */
  timeline: Array<{ fromS: number; requests: number; p50: number; p95: number }>;
  durationS: number;
  requestsPerS: number;
}

interface QuizForm {
  itemId: string;
  fields: Array<[string, string]>;
}

/** Reads the answer form of a question page: hidden ids and one valid choice per field. */
export function parseQuizForm(html: string, random: () => number): QuizForm | null {
  const form = /<form[^>]*action="[^"]*_action=answerQuizItem"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) return null;
  const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  let itemId: string | undefined;
  const choices = new Map<string, string[]>();
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    const value = attr(tag, 'value');
    if (!name || value === undefined) continue;
    if (name === 'itemId') itemId = value;
    else if (name !== 'attemptId') choices.set(name, [...(choices.get(name) ?? []), value]);
  }
  const fields: Array<[string, string]> = [];
  for (const [name, values] of choices) fields.push([name, values[Math.floor(random() * values.length)] as string]);
  // selects (ordering positions, matching partners): a permutation, since each value may be used once
  const selects = [...form.matchAll(/<select\b[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)];
  if (selects.length > 0) {
    const options = [...(selects[0]?.[2] ?? '').matchAll(/<option value="([^"]+)"/g)].map((m) => m[1] as string);
    for (let i = options.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [options[i], options[j]] = [options[j] as string, options[i] as string];
    }
    for (const [i, m] of selects.entries()) fields.push([m[1] as string, options[i % options.length] as string]);
  }
  return itemId ? { itemId, fields } : null;
}

export async function runExamDay(o: ExamDayOptions): Promise<ExamDayResult> {
  const origin = new URL(o.baseUrl).origin;
  const timeout = o.requestTimeoutMs ?? 60_000;
  const pool = new Pool(origin, {
    connections: o.connections ?? 128,
    pipelining: 1,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    keepAliveTimeout: 30_000,
  });
  const random = seededRandom(o.seed ?? 'exam-day');
  const thinkMin = (o.thinkMinS ?? 30) * 1000 * o.thinkScale;
  const thinkMax = (o.thinkMaxS ?? 90) * 1000 * o.thinkScale;
  const maxErrors = o.maxErrorsPerLearner ?? 3;
  const spike = new Samples();
  const ttfq = new Samples();
  const steady = new Samples();
  const answers = new Samples();
  const acknowledged: Array<[string, string]> = [];
  const steadyAt = new Samples();
  let t0 = 0;
  const errorSamples: string[] = [];
  let requests = 0;
  let errors = 0;
  let finished = 0;
  let abandoned = 0;
  let cutOff = 0;
  let deadline = Number.POSITIVE_INFINITY;

  const send = async (
    cookie: string,
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    into: Samples[],
  ): Promise<{ status: number; location: string | null; text: string } | null> => {
    const t0r = performance.now();
    requests++;
    try {
      const res = await pool.request({
        method,
        path,
        headers: method === 'POST' ? { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' } : { cookie },
        body,
      });
      const text = await res.body.text();
      const ms = performance.now() - t0r;
      for (const s of into) s.push(ms);
      if (into.includes(steady)) steadyAt.push(t0r - t0);
      const location = res.headers.location;
      return { status: res.statusCode, location: typeof location === 'string' ? location : null, text };
    } catch (e) {
      for (const s of into) s.push(performance.now() - t0r);
      if (into.includes(steady)) steadyAt.push(t0r - t0);
      errors++;
      if (errorSamples.length < 10) errorSamples.push(`${method} ${path}: ${(e as Error).message}`);
      return null;
    }
  };
  const fail = (what: string, status: number | undefined, text = ''): void => {
    errors++;
    if (errorSamples.length < 10) errorSamples.push(`${what}: HTTP ${status ?? '–'} ${text.replace(/\s+/g, ' ').slice(0, 160)}`);
  };
  const think = (): Promise<void> => {
    const ms = thinkMin + random() * (thinkMax - thinkMin);
    return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
  };

  /** One learner's exam; says how it ended. */
  const learner = async (cookie: string, startAt: Promise<number>): Promise<'finished' | 'abandoned' | 'cutOff'> => {
    const start = await startAt;
    const quizPath = `/kurse/${o.courseId}/quiz`;
    const startBody = new URLSearchParams({ courseId: o.courseId }).toString();
    const started = await send(cookie, 'POST', `${quizPath}?_action=startQuiz`, startBody, [spike]);
    if (!started) return 'abandoned';
    if (started.status !== 303 || !started.location) {
      fail('startQuiz', started.status, started.text);
      return 'abandoned';
    }
    const attemptPath = new URL(started.location, origin).pathname;
    const attemptId = attemptPath.split('/').pop() as string;
    let page = await send(cookie, 'GET', attemptPath, undefined, [spike]);
    if (page?.status !== 200) {
      if (page) fail('erste Frage', page.status, page.text);
      return 'abandoned';
    }
    ttfq.push(performance.now() - start);
    let failures = 0;
    // at most one round per question, plus a few retries after failed requests
    for (let round = 0; round < 60; round++) {
      if (page.text.includes('id="ergebnis"')) return 'finished';
      if (performance.now() > deadline) return 'cutOff';
      const form = parseQuizForm(page.text, random);
      if (!form) {
        fail('Frageformular fehlt', page.status, page.text);
        return 'abandoned';
      }
      await think();
      const answerBody = new URLSearchParams([['attemptId', attemptId], ['itemId', form.itemId], ...form.fields]).toString();
      const answer = await send(cookie, 'POST', `${attemptPath}?_action=answerQuizItem`, answerBody, [steady, answers]);
      if (answer?.status === 303 && answer.location) {
        acknowledged.push([attemptId, form.itemId]);
        const next = await send(cookie, 'GET', answer.location, undefined, [steady]);
        if (next?.status !== 200) {
          if (next) fail('Rückmeldung', next.status, next.text);
          failures++;
        } else if (!answer.location.includes('rueckmeldung')) {
          page = next;
          continue;
        }
      } else {
        if (answer) fail('answerQuizItem', answer.status, answer.text);
        failures++;
      }
      if (failures > maxErrors) return 'abandoned';
      // "Nächste Frage" (or a reload after a failure)
      const reloaded = await send(cookie, 'GET', attemptPath, undefined, [steady]);
      if (reloaded?.status !== 200) {
        if (reloaded) fail('Frage laden', reloaded.status, reloaded.text);
        if (++failures > maxErrors) return 'abandoned';
        continue;
      }
      page = reloaded;
    }
    return 'abandoned';
  };

  let release!: (t: number) => void;
  const startAt = new Promise<number>((r) => {
    release = r;
  });
  const all = o.cookies.map(async (c) => {
    const outcome = await learner(c, startAt);
    if (outcome === 'finished') finished++;
    else if (outcome === 'cutOff') cutOff++;
    else abandoned++;
    o.onProgress?.(finished + abandoned + cutOff, o.cookies.length);
  });
  await new Promise((r) => setTimeout(r, o.startDelayMs ?? 200));
  t0 = performance.now();
  if (o.timeLimitS) deadline = t0 + o.timeLimitS * 1000;
  release(t0);
  await Promise.all(all);
  const durationS = (performance.now() - t0) / 1000;
  await pool.close();
  const windows = new Map<number, number[]>();
  const lat = steady.values();
  for (const [i, at] of steadyAt.values().entries()) {
    const w = Math.floor(at / 30_000) * 30;
    const list = windows.get(w) ?? [];
    list.push(lat[i] as number);
    windows.set(w, list);
  }
  const timeline = [...windows]
    .sort((a, b) => a[0] - b[0])
    .map(([fromS, xs]) => {
      const sm = summarize(xs);
      return { fromS, requests: sm.count, p50: sm.p50, p95: sm.p95 };
    });
  return {
    learners: o.cookies.length,
    finished,
    abandoned,
    cutOff,
    requests,
    errors,
    errorSamples,
    startSpike: summarize(spike.values()),
    timeToFirstQuestion: summarize(ttfq.values()),
    steady: summarize(steady.values()),
    answers: summarize(answers.values()),
    acknowledged,
    timeline,
    durationS: Math.round(durationS * 10) / 10,
    requestsPerS: Math.round(requests / durationS),
  };
}
