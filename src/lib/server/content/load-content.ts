/**
 * Reads the curriculum (courses/, quizzes/, content/) and an optional district overlay folder,
 * validates every file with the content schemas, resolves overlays and derives content versions.
 * Framework-free: used by the server, the CLI (`kiko content check|stats`) and the tests.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import matter from 'gray-matter';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type Course,
  courseSchema,
  type LearningPath,
  type LessonFrontmatter,
  learningPathSchema,
  lessonFrontmatterSchema,
  type Quiz,
  quizSchema,
  snippetFrontmatterSchema,
} from '../../shared/content-schema.ts';
import { checkLeichteSprache, checkQuizQuality, type QualityFinding } from './quality-checks.ts';

/** One problem found in the content, with file, field and a hint to fix it. */
export interface ContentProblem {
  file: string;
  line?: number;
  field?: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface LoadedLesson {
  /** Lesson id: the file name without the NN- prefix and .mdx. */
  id: string;
  courseId: string;
  /** Position within the course (from the NN- prefix). */
  position: number;
  frontmatter: LessonFrontmatter;
  /** MDX body (without frontmatter). */
  body: string;
  /** Absolute path of the file that won (upstream or overlay). */
  file: string;
  /** Content version: first 12 hex chars of the SHA-256 of the file. */
  version: string;
  origin: 'upstream' | 'overlay';
}

export interface LoadedCourse {
  course: Course;
  lessons: LoadedLesson[];
  /** Sum of lesson minutes. */
  minutes: number;
  /** Version over the course file and all lesson versions. */
  version: string;
  file: string;
  origin: 'upstream' | 'overlay';
}

export interface LoadedQuiz {
  quiz: Quiz;
  version: string;
  file: string;
  origin: 'upstream' | 'overlay';
  /** Item ids replaced by the overlay. */
  replacedItems: string[];
}

export interface LoadedSnippet {
  name: string;
  title: string;
  body: string;
  origin: 'upstream' | 'overlay';
}

export interface ContentSet {
  courses: Map<string, LoadedCourse>;
  quizzes: Map<string, LoadedQuiz>;
  paths: Map<string, LearningPath>;
  snippets: Map<string, LoadedSnippet>;
  problems: ContentProblem[];
}

export interface LoadContentOptions {
  /** Folder holding courses/, quizzes/, content/ (the project root). */
  root: string;
  /** Optional district overlay folder with the same layout. */
  overlay?: string;
}

export function hashVersion(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function listDir(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort();
}

function lineOfField(source: string, field: string | undefined): number | undefined {
  if (!field) return undefined;
  const key = field.split('.').find((p) => Number.isNaN(Number(p)));
  if (!key) return undefined;
  const idx = source.split('\n').findIndex((l) => new RegExp(`^\\s*-?\\s*${key}\\s*:`).test(l));
  return idx >= 0 ? idx + 1 : undefined;
}

function zodProblems(file: string, source: string, error: z.ZodError, root: string): ContentProblem[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.');
    return {
      file: relative(root, file),
      line: lineOfField(source, field),
      field: field || undefined,
      message: issue.message,
      severity: 'error' as const,
    };
  });
}

function parseYamlFile(file: string, root: string, problems: ContentProblem[]): unknown {
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source);
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problems.push({ file: relative(root, file), line: e.linePos?.[0]?.line, message: `YAML-Fehler: ${e.message}`, severity: 'error' });
    return undefined;
  }
  return doc.toJS();
}

const LESSON_FILE = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.mdx$/;

function loadCourseDir(
  dir: string,
  origin: 'upstream' | 'overlay',
  root: string,
  problems: ContentProblem[],
): { course?: Course; courseFile: string; courseSource: string; lessons: LoadedLesson[] } {
  const courseFile = join(dir, 'course.yaml');
  const id = basename(dir);
  let course: Course | undefined;
  let courseSource = '';
  if (existsSync(courseFile)) {
    courseSource = readFileSync(courseFile, 'utf8');
    const raw = parseYamlFile(courseFile, root, problems);
    if (raw !== undefined) {
      const parsed = courseSchema.safeParse(raw);
      if (parsed.success) {
        course = parsed.data;
        if (course.id !== id)
          problems.push({
            file: relative(root, courseFile),
            field: 'id',
            message: `id "${course.id}" muss dem Ordnernamen "${id}" entsprechen`,
            severity: 'error',
          });
      } else problems.push(...zodProblems(courseFile, courseSource, parsed.error, root));
    }
  }
  const lessons: LoadedLesson[] = [];
  for (const name of listDir(dir)) {
    if (!name.endsWith('.mdx')) continue;
    const file = join(dir, name);
    const m = LESSON_FILE.exec(name);
    if (!m) {
      problems.push({
        file: relative(root, file),
        message: 'Dateiname muss NN-lektions-id.mdx lauten (z. B. 01-was-ist-ki.mdx)',
        severity: 'error',
      });
      continue;
    }
    const source = readFileSync(file, 'utf8');
    let fm: unknown;
    let body = '';
    try {
      const parsedMatter = matter(source);
      fm = parsedMatter.data;
      body = parsedMatter.content;
    } catch (e) {
      problems.push({
        file: relative(root, file),
        message: `Frontmatter ist kein gültiges YAML: ${(e as Error).message}`,
        severity: 'error',
      });
      continue;
    }
    // gray-matter turns unquoted dates into Date objects; the schema wants ISO strings.
    if (fm && typeof fm === 'object' && (fm as Record<string, unknown>).reviewed instanceof Date)
      (fm as Record<string, unknown>).reviewed = ((fm as Record<string, unknown>).reviewed as Date).toISOString().slice(0, 10);
    const parsed = lessonFrontmatterSchema.safeParse(fm);
    if (!parsed.success) {
      problems.push(...zodProblems(file, source, parsed.error, root));
      continue;
    }
    lessons.push({
      id: m[2] as string,
      courseId: id,
      position: Number(m[1]),
      frontmatter: parsed.data,
      body,
      file,
      version: hashVersion(source),
      origin,
    });
  }
  return { course, courseFile, courseSource, lessons };
}

/** Loads and validates all content; never throws on bad content, reports problems instead. */
export function loadContent(options: LoadContentOptions): ContentSet {
  const { root, overlay } = options;
  const problems: ContentProblem[] = [];
  const courses = new Map<string, LoadedCourse>();
  const quizzes = new Map<string, LoadedQuiz>();
  const paths = new Map<string, LearningPath>();
  const snippets = new Map<string, LoadedSnippet>();

  const sources: Array<{ base: string; origin: 'upstream' | 'overlay' }> = [{ base: root, origin: 'upstream' }];
  if (overlay) {
    if (!existsSync(overlay) || !statSync(overlay).isDirectory())
      problems.push({ file: overlay, message: 'Overlay-Ordner existiert nicht', severity: 'error' });
    else sources.push({ base: overlay, origin: 'overlay' });
  }

  for (const { base, origin } of sources) {
    // Courses and lessons: an overlay course folder adds a course, or replaces single lessons / the course.yaml.
    for (const name of listDir(join(base, 'courses'))) {
      const dir = join(base, 'courses', name);
      if (!statSync(dir).isDirectory()) continue;
      const loaded = loadCourseDir(dir, origin, root, problems);
      const existing = courses.get(name);
      if (existing) {
        const byId = new Map(existing.lessons.map((l) => [l.id, l]));
        for (const l of loaded.lessons) byId.set(l.id, l);
        existing.lessons = [...byId.values()];
        if (loaded.course) {
          existing.course = loaded.course;
          existing.file = loaded.courseFile;
          existing.origin = origin;
        }
      } else if (loaded.course) {
        courses.set(name, {
          course: loaded.course,
          lessons: loaded.lessons,
          minutes: 0,
          version: '',
          file: loaded.courseFile,
          origin,
        });
      } else if (existsSync(loaded.courseFile) === false) {
        problems.push({
          file: relative(root, dir),
          message: 'course.yaml fehlt (und es gibt keinen gleichnamigen Kurs, den das Overlay ergänzt)',
          severity: 'error',
        });
      }
    }
    // Quizzes: an overlay quiz file with the same id replaces single items (by id) and adds new ones;
    // its other fields replace the upstream ones.
    for (const name of listDir(join(base, 'quizzes'))) {
      if (!name.endsWith('.yaml') && !name.endsWith('.yml')) continue;
      const file = join(base, 'quizzes', name);
      const source = readFileSync(file, 'utf8');
      const raw = parseYamlFile(file, root, problems);
      if (raw === undefined) continue;
      const id = name.replace(/\.ya?ml$/, '');
      const existing = quizzes.get(id);
      let candidate = raw;
      const replacedItems: string[] = [];
      if (existing && raw && typeof raw === 'object') {
        const r = raw as Record<string, unknown>;
        const overlayItems = Array.isArray(r.items) ? (r.items as Array<Record<string, unknown>>) : [];
        const merged = existing.quiz.items.map((item) => {
          const replacement = overlayItems.find((o) => o.id === item.id);
          if (replacement) replacedItems.push(item.id);
          return replacement ?? item;
        });
        for (const o of overlayItems) if (!existing.quiz.items.some((i) => i.id === o.id)) merged.push(o as never);
        candidate = { ...existing.quiz, ...r, items: merged };
      }
      const parsed = quizSchema.safeParse(candidate);
      if (!parsed.success) {
        problems.push(...zodProblems(file, source, parsed.error, root));
        continue;
      }
      if (parsed.data.id !== id)
        problems.push({
          file: relative(root, file),
          field: 'id',
          message: `id "${parsed.data.id}" muss dem Dateinamen "${id}" entsprechen`,
          severity: 'error',
        });
      const version = hashVersion(JSON.stringify(parsed.data));
      quizzes.set(id, { quiz: parsed.data, version, file, origin, replacedItems });
    }
    // Learning paths: an overlay path with the same id replaces the upstream one.
    for (const name of listDir(join(base, 'content', 'paths'))) {
      if (!name.endsWith('.yaml')) continue;
      const file = join(base, 'content', 'paths', name);
      const source = readFileSync(file, 'utf8');
      const raw = parseYamlFile(file, root, problems);
      if (raw === undefined) continue;
      const parsed = learningPathSchema.safeParse(raw);
      if (!parsed.success) problems.push(...zodProblems(file, source, parsed.error, root));
      else paths.set(parsed.data.id, parsed.data);
    }
    // Local snippets: markdown files; the overlay's version wins.
    for (const name of listDir(join(base, 'content', 'snippets'))) {
      if (!name.endsWith('.md')) continue;
      const file = join(base, 'content', 'snippets', name);
      const parsedMatter = matter(readFileSync(file, 'utf8'));
      const parsed = snippetFrontmatterSchema.safeParse(parsedMatter.data);
      if (!parsed.success) problems.push(...zodProblems(file, readFileSync(file, 'utf8'), parsed.error, root));
      else
        snippets.set(name.replace(/\.md$/, ''), {
          name: name.replace(/\.md$/, ''),
          title: parsed.data.title,
          body: parsedMatter.content.trim(),
          origin,
        });
    }
  }

  for (const c of courses.values()) {
    c.lessons.sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
    c.minutes = c.lessons.reduce((s, l) => s + l.frontmatter.minutes, 0);
    c.version = hashVersion(JSON.stringify(c.course) + c.lessons.map((l) => l.version).join(','));
  }
  checkReferences({ courses, quizzes, paths, snippets, problems }, root);
  checkQuality({ courses, quizzes, paths, snippets, problems }, root);
  return { courses, quizzes, paths, snippets, problems };
}

function checkReferences(set: ContentSet, root: string): void {
  const { courses, quizzes, paths, snippets, problems } = set;
  for (const c of courses.values()) {
    const file = relative(root, c.file);
    if (c.lessons.length === 0) problems.push({ file, message: 'Kurs hat keine Lektionen', severity: 'error' });
    const positions = c.lessons.map((l) => l.position);
    if (new Set(positions).size !== positions.length)
      problems.push({ file, message: 'zwei Lektionen haben dieselbe Nummer (NN-)', severity: 'error' });
    const objectiveIds = new Set<string>();
    for (const l of c.lessons) {
      if (l.frontmatter.license !== c.course.license)
        problems.push({
          file: relative(root, l.file),
          field: 'license',
          message: `Lizenz muss der des Kurses entsprechen (${c.course.license})`,
          severity: 'error',
        });
      for (const o of l.frontmatter.objectives) {
        if (objectiveIds.has(o.id))
          problems.push({
            file: relative(root, l.file),
            field: 'objectives',
            message: `Lernziel-Id "${o.id}" kommt im Kurs doppelt vor`,
            severity: 'error',
          });
        objectiveIds.add(o.id);
      }
      for (const m of l.body.matchAll(/<Lokal\s+name="([^"]+)"/g))
        if (!snippets.has(m[1] as string))
          problems.push({
            file: relative(root, l.file),
            message: `<Lokal name="${m[1]}"> verweist auf einen unbekannten Baustein (content/snippets/${m[1]}.md fehlt)`,
            severity: 'error',
          });
    }
    if (c.course.quiz) {
      const q = quizzes.get(c.course.quiz);
      if (!q)
        problems.push({
          file,
          field: 'quiz',
          line: lineOfField(readFileSync(c.file, 'utf8'), 'quiz'),
          message: `Quiz "${c.course.quiz}" gibt es nicht (quizzes/${c.course.quiz}.yaml fehlt)`,
          severity: 'error',
        });
      else {
        for (const item of q.quiz.items)
          if (!objectiveIds.has(item.objective))
            problems.push({
              file: relative(root, q.file),
              field: `items.${item.id}.objective`,
              message: `Frage "${item.id}": Lernziel "${item.objective}" gibt es im Kurs "${c.course.id}" nicht`,
              severity: 'error',
            });
        for (const oid of objectiveIds) {
          const n = q.quiz.items.filter((i) => i.objective === oid).length;
          if (n < 2)
            problems.push({
              file: relative(root, q.file),
              message: `Lernziel "${oid}" wird nur von ${n} Frage(n) geprüft (mindestens 2)`,
              severity: 'warning',
            });
        }
      }
    }
  }
  for (const q of quizzes.values()) {
    if (!courses.has(q.quiz.course))
      problems.push({ file: relative(root, q.file), field: 'course', message: `Kurs "${q.quiz.course}" gibt es nicht`, severity: 'error' });
  }
  for (const p of paths.values()) {
    for (const cid of [...p.required, ...p.optional])
      if (!courses.has(cid))
        problems.push({
          file: `content/paths/${p.id}.yaml`,
          field: 'required',
          message: `Lernpfad "${p.id}" nennt den unbekannten Kurs "${cid}"`,
          severity: 'error',
        });
  }
}

/** Line of `- id: <itemId>` in a quiz file, if the item is defined there. */
function lineOfItem(source: string, itemId: string): number | undefined {
  const idx = source.split('\n').findIndex((l) => new RegExp(`^\\s*-\\s*id:\\s*["']?${itemId}["']?\\s*$`).test(l));
  return idx >= 0 ? idx + 1 : undefined;
}

/** Runs the quality checks (quality-checks.ts) and adds their findings, with file and line, to the problems. */
function checkQuality(set: ContentSet, root: string): void {
  const { courses, quizzes, problems } = set;
  for (const q of quizzes.values()) {
    // An overlay quiz file holds only the items it replaces or adds; the others are in the upstream file.
    const files = [q.file, ...(q.origin === 'overlay' ? [join(root, 'quizzes', basename(q.file))] : [])]
      .filter((f, i, all) => all.indexOf(f) === i && existsSync(f))
      .map((f) => ({ file: f, source: readFileSync(f, 'utf8') }));
    const locate = (f: QualityFinding): { file: string; line?: number } => {
      if (f.itemId)
        for (const { file, source } of files) {
          const line = lineOfItem(source, f.itemId);
          if (line) return { file, line };
        }
      return { file: q.file, line: lineOfField(files[0]?.source ?? '', f.field) };
    };
    for (const f of checkQuizQuality(q.quiz)) {
      const { file, line } = locate(f);
      problems.push({ file: relative(root, file), line, field: f.field, message: f.message, severity: f.severity });
    }
  }
  for (const c of courses.values())
    for (const l of c.lessons)
      for (const f of checkLeichteSprache(l))
        problems.push({
          file: relative(root, l.file),
          line: lineOfField(readFileSync(l.file, 'utf8'), f.field),
          field: f.field,
          message: f.message,
          severity: f.severity,
        });
}
