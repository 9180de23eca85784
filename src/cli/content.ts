/** `kiko content check|stats`: validates the curriculum and reports its volume. */
import { resolve } from 'node:path';
import { contentStats } from '../lib/server/content/content-stats.ts';
import { loadContent } from '../lib/server/content/load-content.ts';
import { adoptUpstream, findOverlayDrift } from '../lib/server/content/overlay-drift.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

export async function contentCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const flags = parseFlags(rest, { overlay: 'string', json: 'boolean', root: 'string' });
  const root = resolve(String(flags.root ?? process.cwd()));
  const overlay = flags.overlay
    ? resolve(String(flags.overlay))
    : process.env.KIKO_CONTENT_OVERLAY
      ? resolve(process.env.KIKO_CONTENT_OVERLAY)
      : undefined;
  const set = loadContent({ root, overlay });
  if (sub === 'check') {
    const drift = overlay ? findOverlayDrift({ root, overlay }) : [];
    const errors = set.problems.filter((p) => p.severity === 'error');
    const warnings = set.problems.filter((p) => p.severity === 'warning');
    for (const p of [...errors, ...warnings])
      io.err(
        `${p.severity === 'error' ? 'FEHLER' : 'Hinweis'} ${p.file}${p.line ? `:${p.line}` : ''}${p.field ? ` [${p.field}]` : ''}: ${p.message}`,
      );
    for (const d of drift)
      io.err(
        `Hinweis ${d.overlayFile}: ersetzt ${d.upstreamFile}, das sich seit der Übernahme geändert hat (${d.reason}). Bitte prüfen und "upstream-version: ${d.currentVersion}" eintragen.`,
      );
    io.out(
      `${set.courses.size} Kurse, ${[...set.courses.values()].reduce((s, c) => s + c.lessons.length, 0)} Lektionen, ` +
        `${[...set.quizzes.values()].reduce((s, q) => s + q.quiz.items.length, 0)} Quizfragen, ${set.paths.size} Lernpfade geprüft: ` +
        `${errors.length} Fehler, ${warnings.length + drift.length} Hinweise.`,
    );
    return errors.length > 0 ? 1 : 0;
  }
  if (sub === 'stats') {
    const stats = contentStats(set);
    if (flags.json) io.out(JSON.stringify(stats, null, 2));
    else {
      io.out(
        `Kurse: ${stats.courses}  Lektionen: ${stats.lessons}  Quizfragen: ${stats.items} (davon Praxis/Szenario: ${stats.practiceItems})`,
      );
      io.out(
        `Fragen nach Typ: ${Object.entries(stats.itemsByType)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      io.out('Minuten je Lernpfad:');
      for (const p of stats.paths)
        io.out(`  ${p.id.padEnd(24)} ${String(p.requiredMinutes).padStart(4)} Min. Pflicht, ${p.optionalMinutes} Min. optional`);
      io.out('Qualität je Quiz (Lösung längste/kürzeste Option: höchstens 40 %):');
      const pct = (share: number): string => `${Math.round(share * 100)} %`.padStart(5);
      for (const q of stats.quizzes)
        io.out(
          `  ${q.id.padEnd(24)} Lösung längste ${pct(q.keyLongestShare)}, kürzeste ${pct(q.keyShortestShare)} · ` +
            `im Wandel ${q.inFluxItems} (datiert ${q.inFluxDated}) · Buchstabenverweise ${q.letterReferences} · ${q.items} Fragen`,
        );
    }
    return 0;
  }
  if (sub === 'adopt') {
    if (!overlay) throw new UsageError('kiko content adopt --overlay DIR');
    const n = adoptUpstream({ root, overlay });
    io.out(`${n} Ersetzungen als geprüft vermerkt (${overlay}/overlay.yaml).`);
    return 0;
  }
  throw new UsageError('kiko content check [--overlay DIR] | kiko content stats [--json] | kiko content adopt --overlay DIR');
}
