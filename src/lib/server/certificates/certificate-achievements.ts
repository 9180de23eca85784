/**
 * What a certificate certifies, built from the curriculum and the learner's completions: one course
 * (Teilnahmebescheinigung) or the required courses of a learning path (Zertifikat KI-Kompetenz). Versions are
 * the ones the learner completed, so the certificate names what was actually learned.
 */
import type { LearningPath } from '../../shared/content-schema.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { CertificatePayload } from './certificate-payload.ts';

/** The `achievement` part of a payload. */
export type Achievement = CertificatePayload['achievement'];

/** A topic as the payload schema allows it (at most 200 characters). */
const topicText = (topic: string): string => (topic.length > 200 ? `${topic.slice(0, 199)}…` : topic);

/** Returns the achievement of one completed course, or null when the course is not in the curriculum. */
export function courseAchievement(content: ContentSet, courseId: string, version: string): Achievement | null {
  const loaded = content.courses.get(courseId);
  if (!loaded) return null;
  return {
    id: courseId,
    title: loaded.course.title,
    courses: [{ id: courseId, title: loaded.course.title, minutes: loaded.minutes, version }],
    topics: loaded.course.topics.map(topicText),
    minutes: loaded.minutes,
  };
}

/**
 * Returns the achievement of a learning path: its required courses with the completed versions (`versions`:
 * course id → version) and the union of their topics; null when a required course is missing.
 */
export function pathAchievement(content: ContentSet, path: LearningPath, versions: Map<string, string>): Achievement | null {
  const courses: Achievement['courses'] = [];
  const topics: string[] = [];
  for (const courseId of path.required) {
    const loaded = content.courses.get(courseId);
    const version = versions.get(courseId);
    if (!loaded || !version) return null;
    courses.push({ id: courseId, title: loaded.course.title, minutes: loaded.minutes, version });
    for (const topic of loaded.course.topics.map(topicText)) if (!topics.includes(topic)) topics.push(topic);
  }
  return { id: path.id, title: path.title, courses, topics, minutes: courses.reduce((sum, c) => sum + c.minutes, 0) };
}
