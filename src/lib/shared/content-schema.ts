/**
 * Content schemas: the authors' documentation of every field a course, lesson, quiz, learning path
 * or local snippet may have. Shared by the server loader, the `kiko content check` CLI and the tests.
 * Unknown keys are rejected so a typo never silently drops a field.
 */
import { z } from 'zod';
import './zod-locale.ts';

/** Slug used for ids of courses, lessons, quizzes, items and paths: lowercase, digits, hyphens. */
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'nur Kleinbuchstaben, Ziffern und Bindestriche (z. B. "ki-grundlagen")');

/** ISO date (YYYY-MM-DD), e.g. the "Stand" of a lesson. */
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Datum im Format JJJJ-MM-TT, z. B. 2026-11-27')
  // Date.parse rolls 2026-02-31 over into March; only a date that prints back unchanged exists in the calendar
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'kein gültiges Kalenderdatum');

/** Earliest due date KIKO accepts (the platform did not exist before). */
const DUE_DATE_MIN = '2020-01-01';
/** How many years ahead a due date may lie (longer is a typo, not a plan). */
const DUE_DATE_MAX_YEARS = 10;

/** A due date (YYYY-MM-DD): a real calendar date, not before 2020 and at most 10 years after today. */
export const dueDateSchema = isoDateSchema
  .refine((s) => s >= DUE_DATE_MIN, 'Das Datum darf nicht vor dem 01.01.2020 liegen.')
  .refine((s) => {
    const limit = new Date();
    limit.setUTCFullYear(limit.getUTCFullYear() + DUE_DATE_MAX_YEARS);
    return s <= limit.toISOString().slice(0, 10);
  }, `Das Datum darf höchstens ${DUE_DATE_MAX_YEARS} Jahre in der Zukunft liegen.`);

/** Licences the curriculum may use (open educational resources). */
export const licenseSchema = z.enum(['CC-BY-4.0', 'CC-BY-SA-4.0']).describe('Lizenz des Inhalts');

/** Job roles (Tätigkeitsprofile) that learning paths are assigned by. */
export const jobRoles = [
  'alle',
  'fuehrungskraft',
  'sachbearbeitung',
  'it-digitalisierung',
  'multiplikator',
  'personal-datenschutz',
] as const;
export const jobRoleSchema = z.enum(jobRoles);

/** A source a lesson or quiz item relies on. */
export const sourceSchema = z.strictObject({
  /** Title of the law, guide or document, e.g. "Verordnung (EU) 2024/1689 (KI-Verordnung)". */
  title: z.string().min(3),
  /** Who issued it, e.g. "Europäisches Parlament und Rat", "Deutscher Landkreistag". */
  issuer: z.string().min(2).optional(),
  /** Date or year of the source (as precise as known), e.g. "2024-06-13" or "2025". */
  date: z.string().min(4).optional(),
  /** Article, section or page, e.g. "Art. 4" or "Kap. 3.2". */
  section: z.string().min(1).optional(),
  /** Public URL, if there is one. */
  url: z.url().optional(),
});
export type Source = z.infer<typeof sourceSchema>;

/** A learning objective: observable ("Sie können … erkennen / formulieren / prüfen"). */
export const objectiveSchema = z.strictObject({
  /** Id unique within the course; quiz items refer to it in `objective`. */
  id: slugSchema,
  /** The objective as the learner reads it, starting with "Sie können". */
  text: z.string().min(10),
});

/** course.yaml in courses/<course-id>/ */
export const courseSchema = z.strictObject({
  /** Must equal the folder name. */
  id: slugSchema,
  /** Title shown to learners. */
  title: z.string().min(3).max(90),
  /** One or two sentences: what the course is for and who it is for. */
  summary: z.string().min(20).max(400),
  /** Position in course lists (smaller first). */
  order: z.number().int().min(0).default(100),
  /** Job roles this course is meant for (informational; learning paths decide what is required). */
  roles: z.array(jobRoleSchema).min(1),
  /** Licence of the whole course (lessons may not differ). */
  license: licenseSchema,
  /** Id of the quiz (quizzes/<id>.yaml) that closes the course, if any. */
  quiz: slugSchema.optional(),
  /** Art. 4 topics this course covers, shown on certificates, e.g. "Risiken und Grenzen von KI". */
  topics: z.array(z.string().min(3)).min(1),
});
export type Course = z.infer<typeof courseSchema>;

/** Frontmatter of a lesson (courses/<course-id>/NN-<lesson-id>.mdx). */
export const lessonFrontmatterSchema = z.strictObject({
  /** Title shown to learners. */
  title: z.string().min(3).max(100),
  /** One sentence shown in the course overview. */
  summary: z.string().min(10).max(300),
  /** 2–4 observable learning objectives. */
  objectives: z.array(objectiveSchema).min(1).max(6),
  /** Estimated minutes to read the lesson (5–12 is the house rule). */
  minutes: z.number().int().min(1).max(30),
  /** Sources cited by the lesson (at least one). */
  sources: z.array(sourceSchema).min(1),
  /** Licence; must equal the course licence. */
  license: licenseSchema,
  /** "Stand": the date the lesson was last reviewed for correctness (shown to learners). */
  reviewed: isoDateSchema,
  /** Job roles that need this lesson; defaults to those of the course. */
  roles: z.array(jobRoleSchema).optional(),
  /**
   * Summary of the lesson in Leichte Sprache (rules of the Netzwerk Leichte Sprache / DIN SPEC 33429): one statement
   * per sentence, short main clauses, common words, terms explained, no abbreviations, no passive. One sentence per
   * line or paragraph. Required for upstream lessons; shown behind the "Leichte Sprache" switch of the lesson page.
   */
  leichteSprache: z.string().min(80).optional(),
});
export type LessonFrontmatter = z.infer<typeof lessonFrontmatterSchema>;

const optionIdSchema = z.string().regex(/^[a-z0-9-]{1,20}$/, 'Options-Id: a–z, 0–9, Bindestrich');

/** An answer option (single choice, multiple choice, scenario). */
export const optionSchema = z.strictObject({
  id: optionIdSchema,
  /** Text of the option as learners see it. */
  text: z.string().min(1),
  /** Whether this option is correct. Server-only: never sent to a browser before the answer is submitted. */
  correct: z.boolean().default(false),
  /** Feedback for learners who chose this option (required for scenario items). */
  feedback: z.string().min(5).optional(),
});

const itemBase = {
  /** Id unique within the quiz; a stable id keeps attempt history readable across versions. */
  id: slugSchema,
  /** Id of the learning objective of the course this item checks. */
  objective: slugSchema,
  /** The question. */
  prompt: z.string().min(5),
  /** Why the right answer is right and why the tempting wrong ones are wrong. Shown after answering. */
  explanation: z.string().min(20),
  /** Source of the fact the item checks. */
  source: sourceSchema,
  /** Marks scenario/practice items set in district work (counted by `kiko content stats`). */
  practice: z.boolean().default(false),
  /**
   * The item tests a legal or factual statement that is in flux (e.g. the 2026 wording of Art. 4, the amending
   * regulation (EU) 2026/1744, postponed application dates, Art. 50). Such an item must carry `stand`.
   */
  imWandel: z.boolean().default(false),
  /** Date (YYYY-MM-DD) on which the fact the item tests was last checked; shown with the item's feedback. */
  stand: isoDateSchema.optional(),
};

export const singleItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('single'),
  options: z.array(optionSchema).min(2).max(6),
});
export const multipleItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('multiple'),
  options: z.array(optionSchema).min(3).max(8),
});
export const trueFalseItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('truefalse'),
  /** The correct answer. Server-only. */
  answer: z.boolean(),
});
export const orderingItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('ordering'),
  /** Steps in the CORRECT order; learners see them shuffled. */
  steps: z
    .array(z.strictObject({ id: optionIdSchema, text: z.string().min(1) }))
    .min(3)
    .max(8),
});
export const matchingItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('matching'),
  /** Correct pairs; learners match each left entry to one of the right entries (shuffled). */
  pairs: z
    .array(z.strictObject({ id: optionIdSchema, left: z.string().min(1), right: z.string().min(1) }))
    .min(2)
    .max(8),
});
export const scenarioItemSchema = z.strictObject({
  ...itemBase,
  type: z.literal('scenario'),
  /** The short case from district work (3–6 sentences). */
  case: z.string().min(40),
  /** Options, each with its own feedback; exactly one is correct. */
  options: z
    .array(optionSchema.required({ feedback: true }))
    .min(2)
    .max(6),
});

export const quizItemSchema = z
  .discriminatedUnion('type', [
    singleItemSchema,
    multipleItemSchema,
    trueFalseItemSchema,
    orderingItemSchema,
    matchingItemSchema,
    scenarioItemSchema,
  ])
  .superRefine((item, ctx) => {
    if (item.type === 'single' || item.type === 'scenario') {
      const n = item.options.filter((o) => o.correct).length;
      if (n !== 1)
        ctx.addIssue({ code: 'custom', path: ['options'], message: `genau eine Option muss correct: true haben (gefunden: ${n})` });
    }
    if (item.type === 'multiple') {
      const n = item.options.filter((o) => o.correct).length;
      if (n < 1 || n === item.options.length)
        ctx.addIssue({
          code: 'custom',
          path: ['options'],
          message: 'mindestens eine, aber nicht alle Optionen müssen correct: true haben',
        });
    }
    const ids =
      'options' in item
        ? item.options.map((o) => o.id)
        : 'steps' in item
          ? item.steps.map((s) => s.id)
          : 'pairs' in item
            ? item.pairs.map((p) => p.id)
            : [];
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'Options-Ids müssen innerhalb einer Frage eindeutig sein' });
  });
export type QuizItem = z.infer<typeof quizItemSchema>;
export type QuizItemType = QuizItem['type'];

/** quizzes/<quiz-id>.yaml */
export const quizSchema = z
  .strictObject({
    /** Must equal the file name. */
    id: slugSchema,
    /** Id of the course this quiz closes. */
    course: slugSchema,
    title: z.string().min(3),
    /** "Stand": the date the quiz's items were last checked for correctness (shown on the quiz page and with feedback). */
    stand: isoDateSchema.optional(),
    /** Share of points needed to pass, 0–1 (0.8 = 80 %). */
    passMark: z.number().min(0.1).max(1).default(0.8),
    /** How many items are drawn per attempt from the pool (default: all). */
    draw: z.number().int().min(1).optional(),
    /** "single": one item per page; "all": every item on one page. */
    mode: z.enum(['single', 'all']).default('single'),
    /** Maximum attempts per learner (absent: unlimited). */
    maxAttempts: z.number().int().min(1).optional(),
    /** Minutes a learner waits after a failed attempt before retrying. */
    retryWaitMinutes: z.number().int().min(0).default(0),
    /** Minutes an attempt stays open. */
    timeLimitMinutes: z.number().int().min(1).max(600).default(120),
    /** Shuffle option order per attempt. */
    shuffle: z.boolean().default(true),
    items: z.array(quizItemSchema).min(1),
  })
  .superRefine((quiz, ctx) => {
    const ids = quiz.items.map((i) => i.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['items'], message: `Fragen-Id "${dup}" kommt doppelt vor` });
    if (quiz.draw !== undefined && quiz.draw > quiz.items.length)
      ctx.addIssue({
        code: 'custom',
        path: ['draw'],
        message: `draw (${quiz.draw}) ist größer als die Zahl der Fragen (${quiz.items.length})`,
      });
  });
export type Quiz = z.infer<typeof quizSchema>;

/** content/paths/<path-id>.yaml: a learning path per job role. */
export const learningPathSchema = z.strictObject({
  /** Must equal the file name. */
  id: slugSchema,
  title: z.string().min(3),
  summary: z.string().min(10),
  /** Job roles that get this path by default. */
  jobRoles: z.array(jobRoleSchema).min(1),
  /** Courses every assigned person must complete, in the suggested order. */
  required: z.array(slugSchema).min(1),
  /** Recommended extra courses. */
  optional: z.array(slugSchema).default([]),
  /** Days after assignment until the path is due. */
  dueDays: z.number().int().min(1).max(730).default(90),
  /** Months after completion until a refresher (Auffrischung) is due. */
  refresherMonths: z.number().int().min(1).max(60).default(24),
  /**
   * Whether attending an in-person session (Präsenzschulung, Workshop, Sprechstunde) that is linked to a lesson or
   * course marks it done for people on this path ("in Präsenz"), with the certificate as for an online completion.
   * A district overlay can switch it off (or on) by replacing the path file.
   */
  inPersonCompletion: z.boolean().default(false),
});
export type LearningPath = z.infer<typeof learningPathSchema>;

/** content/snippets/<name>.md frontmatter: a local snippet a district fills via its overlay. */
export const snippetFrontmatterSchema = z.strictObject({
  /** Heading shown above the snippet. */
  title: z.string().min(3),
});
