/**
 * Turns the fields of a plain HTML quiz form (works without JavaScript) into an item response in public
 * ids. Field names: `<prefix>antwort` (radio/checkbox), `<prefix>pos-<stepId>` (ordering: position 1…n per
 * step), `<prefix>paar-<leftId>` (matching: chosen right id per left entry).
 */
import type { ItemResponse } from './quiz-response.ts';

/** The parts of a public item the form needs. */
export type FormItem =
  | { type: 'single' | 'multiple' | 'scenario'; options: Array<{ id: string }> }
  | { type: 'truefalse' }
  | { type: 'ordering'; steps: Array<{ id: string }> }
  | { type: 'matching'; lefts: Array<{ id: string }>; rights: Array<{ id: string }> };

export type FormParse = { ok: true; response: ItemResponse } | { ok: false; message: string };

export function responseFromForm(item: FormItem, getAll: (name: string) => string[], prefix = ''): FormParse {
  const field = (name: string): string[] => getAll(`${prefix}${name}`).filter((v) => v !== '');
  switch (item.type) {
    case 'single':
    case 'scenario': {
      const [optionId] = field('antwort');
      return optionId ? { ok: true, response: { type: item.type, optionId } } : { ok: false, message: 'Bitte wählen Sie eine Antwort.' };
    }
    case 'multiple': {
      const optionIds = [...new Set(field('antwort'))];
      return optionIds.length > 0
        ? { ok: true, response: { type: 'multiple', optionIds } }
        : { ok: false, message: 'Bitte wählen Sie mindestens eine Antwort.' };
    }
    case 'truefalse': {
      const [v] = field('antwort');
      if (v !== 'wahr' && v !== 'falsch') return { ok: false, message: 'Bitte wählen Sie „Richtig“ oder „Falsch“.' };
      return { ok: true, response: { type: 'truefalse', value: v === 'wahr' } };
    }
    case 'ordering': {
      const positions = item.steps.map((s) => ({ id: s.id, pos: Number(field(`pos-${s.id}`)[0]) }));
      if (positions.some((p) => !Number.isInteger(p.pos) || p.pos < 1 || p.pos > item.steps.length))
        return { ok: false, message: 'Bitte geben Sie jedem Schritt eine Position.' };
      if (new Set(positions.map((p) => p.pos)).size !== positions.length)
        return { ok: false, message: 'Jede Position darf nur einmal vorkommen.' };
      return { ok: true, response: { type: 'ordering', order: positions.sort((a, b) => a.pos - b.pos).map((p) => p.id) } };
    }
    case 'matching': {
      const pairs: Record<string, string> = {};
      for (const left of item.lefts) {
        const [right] = field(`paar-${left.id}`);
        if (!right) return { ok: false, message: 'Bitte ordnen Sie jedem Eintrag etwas zu.' };
        pairs[left.id] = right;
      }
      if (new Set(Object.values(pairs)).size !== item.lefts.length)
        return { ok: false, message: 'Jede Zuordnung darf nur einmal gewählt werden.' };
      return { ok: true, response: { type: 'matching', pairs } };
    }
  }
}
