/**
 * The Open Badges 3.0 Achievement of a course or learning path, as the credential embeds it and as KIKO serves it
 * publicly at its id (`/abzeichen/kurs/<id>`, `/abzeichen/lernpfad/<id>`), with its image (`… .png`). An
 * achievement's id must resolve (OB 3.0 §B.1.1 "Achievement": id "Unique URI for the Achievement"); the public
 * document describes the curriculum as it is today and holds nothing about any person.
 */
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import type { ContentSet } from '../content/load-content.ts';
import { type Achievement, courseAchievement, pathAchievement } from './certificate-achievements.ts';
import { CERTIFICATE_FONT_FAMILY, satoriFonts } from './certificate-fonts.ts';
import type { CertificatePayload } from './certificate-payload.ts';
import { CERTIFICATE_TEXTS, certificateHeading, formatMinutes } from './certificate-texts.ts';
import { OB_CONTEXT_URL, VC2_CONTEXT_URL } from './document-loader.ts';

type Kind = CertificatePayload['kind'];

/** URL segment of each kind (German, like the rest of KIKO's paths). */
const SEGMENT: Record<Kind, string> = { course: 'kurs', path: 'lernpfad' };

/** The kind named by a URL segment, or null. */
export function kindOfSegment(segment: string | undefined): Kind | null {
  return segment === 'kurs' ? 'course' : segment === 'lernpfad' ? 'path' : null;
}

/** Public URL of an achievement, e.g. `https://kiko.example/abzeichen/lernpfad/sachbearbeitung`. */
export function achievementUrl(base: string, kind: Kind, id: string): string {
  return new URL(`abzeichen/${SEGMENT[kind]}/${encodeURIComponent(id)}`, base.endsWith('/') ? base : `${base}/`).href;
}

/** Public URL of the achievement's image (PNG). */
export function achievementImageUrl(base: string, kind: Kind, id: string): string {
  return `${achievementUrl(base, kind, id)}.png`;
}

/** The `achievement` object of a credential: what was achieved, its criteria, image and topics. */
export function achievementObject(kind: Kind, a: Achievement, base: string): Record<string, unknown> {
  const courses = a.courses.map((c) => `${c.title} (${formatMinutes(c.minutes)})`).join('; ');
  return {
    id: achievementUrl(base, kind, a.id),
    type: ['Achievement'],
    achievementType: kind === 'path' ? 'Certificate' : 'CertificateOfCompletion',
    name: a.title,
    description: `${CERTIFICATE_TEXTS.legalNote}. Umfang: ${formatMinutes(a.minutes)}; Kurse: ${courses}.`,
    criteria: { narrative: `Alle Kurse abgeschlossen: ${courses}.` },
    image: { id: achievementImageUrl(base, kind, a.id), type: 'Image', caption: `${certificateHeading(kind)}: ${a.title}` },
    ...(a.topics.length ? { tag: a.topics } : {}),
    inLanguage: 'de',
  };
}

/** Today's achievement of a course or learning path of the curriculum, or null when there is none. */
function currentAchievement(content: ContentSet, kind: Kind, id: string): Achievement | null {
  if (kind === 'course') return content.courses.has(id) ? courseAchievement(content, id, 'aktuell') : null;
  const path = content.paths.get(id);
  return path ? pathAchievement(content, path, new Map(path.required.map((c) => [c, 'aktuell']))) : null;
}

/**
 * The public JSON-LD document of an achievement (Achievement with the VC 2.0 and OB 3.0 contexts), or null for
 * an unknown kind or id. Public by design: it describes the curriculum, not a person.
 */
export function getPublicAchievement(
  content: ContentSet,
  segment: string | undefined,
  id: string | undefined,
  base: string,
): Record<string, unknown> | null {
  const kind = kindOfSegment(segment);
  const a = kind && id ? currentAchievement(content, kind, id) : null;
  if (!kind || !a) return null;
  return { '@context': [VC2_CONTEXT_URL, OB_CONTEXT_URL], ...achievementObject(kind, a, base) };
}

const images = new Map<string, Buffer>();

/**
 * The achievement's image as a 400 × 400 PNG (heading and title on KIKO blue), or null for an unknown id.
 * Rendered once per process and achievement; text is drawn as paths (no system fonts).
 */
export async function getAchievementImage(
  content: ContentSet,
  segment: string | undefined,
  id: string | undefined,
): Promise<Buffer | null> {
  const kind = kindOfSegment(segment);
  const a = kind && id ? currentAchievement(content, kind, id) : null;
  if (!kind || !a) return null;
  const key = `${kind}:${a.id}:${a.title}`;
  const cached = images.get(key);
  if (cached) return cached;
  const text = (children: string, style: Record<string, string | number>) => ({
    type: 'div',
    props: { style: { display: 'flex', textAlign: 'center', ...style }, children },
  });
  const element = {
    type: 'div',
    props: {
      style: {
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        justifyContent: 'center',
        width: 400,
        height: 400,
        borderRadius: 200,
        backgroundColor: '#1f4e79',
        color: '#ffffff',
        fontFamily: CERTIFICATE_FONT_FAMILY,
        padding: 48,
        boxSizing: 'border-box',
      },
      children: [
        text('KIKO', { fontSize: 40, fontWeight: 700, letterSpacing: 2 }),
        text(certificateHeading(kind), { fontSize: 20, marginTop: 10 }),
        text(a.title, { fontSize: a.title.length > 40 ? 18 : 22, fontWeight: 700, marginTop: 14 }),
        text('Art. 4 KI-VO', { fontSize: 14, marginTop: 14 }),
      ],
    },
  };
  const svg = await satori(element as Parameters<typeof satori>[0], { width: 400, height: 400, fonts: satoriFonts() });
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: 400 }, font: { loadSystemFonts: false } }).render().asPng();
  images.set(key, png);
  return png;
}
