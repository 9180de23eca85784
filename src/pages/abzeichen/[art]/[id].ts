/**
 * Public Open Badges 3.0 achievements: /abzeichen/kurs/<id> and /abzeichen/lernpfad/<id> (the `achievement.id` of
 * every KIKO credential, JSON-LD) and the same with `.png` (its `achievement.image`). They describe the curriculum,
 * never a person, so they are public and cacheable.
 */
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { getAchievementImage, getPublicAchievement } from '../../../lib/server/certificates/achievement-document.ts';
import { certificateConfig, publicBase } from '../../../lib/server/certificates/certificate-config.ts';
import { getContent } from '../../../lib/server/learning/content-registry.ts';

/** Course and path ids are folder and file names: lower-case words with hyphens. */
const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,199}(\.png)?$/)
  .transform((raw) => (raw.endsWith('.png') ? { id: raw.slice(0, -4), png: true } : { id: raw, png: false }));

export const GET: APIRoute = async (context) => {
  const parsed = idSchema.safeParse(context.params.id);
  if (!parsed.success) return context.rewrite('/404');
  const { id, png } = parsed.data;
  const headers = { 'Cache-Control': 'public, max-age=3600', 'Access-Control-Allow-Origin': '*' };
  if (png) {
    const image = await getAchievementImage(getContent(), context.params.art, id);
    if (!image) return context.rewrite('/404');
    return new Response(new Uint8Array(image), { headers: { ...headers, 'Content-Type': 'image/png' } });
  }
  const achievement = getPublicAchievement(getContent(), context.params.art, id, publicBase(certificateConfig()));
  if (!achievement) return context.rewrite('/404');
  return new Response(`${JSON.stringify(achievement, null, 2)}\n`, {
    headers: { ...headers, 'Content-Type': 'application/ld+json; charset=utf-8' },
  });
};
