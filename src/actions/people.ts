/**
 * District administration actions: org units, people, roles, deactivation, erasure and the staff import. Plain forms
 * (no JavaScript needed); destructive ones come after a confirmation page. The verb decides authorization
 * (authorize: role, district, org subtree); here only the session must exist and the form is read.
 */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { closeOrgUnit } from '../lib/server/tenancy/close-org-unit.ts';
import { createOrgUnit } from '../lib/server/tenancy/create-org-unit.ts';
import { moveOrgUnit } from '../lib/server/tenancy/move-org-unit.ts';
import { renameOrgUnit } from '../lib/server/tenancy/rename-org-unit.ts';
import { changeMembership } from '../lib/server/users/change-membership.ts';
import { createPerson } from '../lib/server/users/create-person.ts';
import { erasePersonConfirmed } from '../lib/server/users/erase-person-confirmed.ts';
import { saveImportMapping } from '../lib/server/users/import/import-mapping.ts';
import { applyImportUpload, discardImportUpload, stageImportUpload } from '../lib/server/users/import/import-upload.ts';
import { updateRetentionSetting } from '../lib/server/users/retention.ts';
import { sendInvitation } from '../lib/server/users/send-invitation.ts';
import { setPersonActive } from '../lib/server/users/set-person-active.ts';
import { setPersonRoles } from '../lib/server/users/set-person-roles.ts';
import { grantableRoles, subtreeScopedRoles } from '../lib/shared/people-labels.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

const id = z.string().min(1).max(100);
/** An optional select: "" (nothing chosen) becomes undefined. */
const optionalId = z
  .string()
  .max(100)
  .nullish()
  .transform((v) => v || undefined);
const text = (message: string, max: number) => z.string({ error: message }).trim().min(1, message).max(max);

export const peopleActions = {
  createOrgUnit: defineAction({
    accept: 'form',
    input: z.object({ code: text('Bitte ein Kürzel angeben.', 30), name: text('Bitte einen Namen angeben.', 120), parentId: optionalId }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => createOrgUnit(ctx, { ...input, parentId: input.parentId ?? null }));
    },
  }),
  renameOrgUnit: defineAction({
    accept: 'form',
    input: z.object({ orgUnitId: id, code: text('Bitte ein Kürzel angeben.', 30), name: text('Bitte einen Namen angeben.', 120) }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => renameOrgUnit(ctx, input));
      return { id: input.orgUnitId };
    },
  }),
  moveOrgUnit: defineAction({
    accept: 'form',
    input: z.object({ orgUnitId: id, parentId: optionalId }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => moveOrgUnit(ctx, { orgUnitId: input.orgUnitId, parentId: input.parentId ?? null }));
      return { id: input.orgUnitId };
    },
  }),
  closeOrgUnit: defineAction({
    accept: 'form',
    input: z.object({ orgUnitId: id, targetId: optionalId }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => closeOrgUnit(ctx, { orgUnitId: input.orgUnitId, targetId: input.targetId ?? null }));
    },
  }),
  createPerson: defineAction({
    accept: 'form',
    input: z.object({
      name: text('Bitte den Namen angeben.', 120),
      email: text('Bitte die E-Mail-Adresse angeben.', 254),
      jobRole: text('Bitte ein Tätigkeitsprofil wählen.', 50),
      orgUnitId: optionalId,
      externalId: z
        .string()
        .trim()
        .max(64, 'Die Personalnummer darf höchstens 64 Zeichen lang sein.')
        .nullish()
        .transform((v) => v || undefined),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => createPerson(ctx, input as Parameters<typeof createPerson>[1]));
    },
  }),
  changePerson: defineAction({
    accept: 'form',
    input: z.object({ userId: id, orgUnitId: optionalId, jobRole: text('Bitte ein Tätigkeitsprofil wählen.', 50) }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () =>
        changeMembership(ctx, { userId: input.userId, orgUnitId: input.orgUnitId ?? null, jobRole: input.jobRole as never }),
      );
      return { id: input.userId };
    },
  }),
  setPersonRoles: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const ctx = await contextOf(context);
      const userId = id.safeParse(form.get('userId'));
      if (!userId.success) throw new ActionError({ code: 'BAD_REQUEST', message: 'Ungültige Eingabe.' });
      const chosen = form.getAll('role').map(String);
      const grants = grantableRoles
        .filter((r) => chosen.includes(r))
        .map((role) => ({
          role,
          scopeOrgUnitId: subtreeScopedRoles.includes(role) ? String(form.get(`scope-${role}`) ?? '').slice(0, 100) || null : null,
        }));
      await mapDomainErrors(async () => setPersonRoles(ctx, { userId: userId.data, grants }));
      return { id: userId.data };
    },
  }),
  setPersonActive: defineAction({
    accept: 'form',
    input: z.object({ userId: id, active: z.enum(['ja', 'nein']) }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => setPersonActive(ctx, { userId: input.userId, active: input.active === 'ja' }));
      return { id: input.userId, active: input.active === 'ja' };
    },
  }),
  invitePerson: defineAction({
    accept: 'form',
    input: z.object({ userId: id }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => sendInvitation(ctx, input.userId));
      return { id: input.userId };
    },
  }),
  erasePerson: defineAction({
    accept: 'form',
    input: z.object({ userId: id, confirmation: z.string().max(254).nullish() }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => erasePersonConfirmed(ctx, { userId: input.userId, confirmation: input.confirmation ?? '' }));
      return { id: input.userId };
    },
  }),
  saveRetentionSetting: defineAction({
    accept: 'form',
    input: z.object({
      enabled: z.enum(['ja', 'nein'], { error: 'Bitte wählen, ob gelöscht werden soll.' }),
      months: z
        .string()
        .trim()
        .max(10)
        .nullish()
        .transform((v) => v || undefined),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => updateRetentionSetting(ctx, { enabled: input.enabled === 'ja', months: input.months }));
    },
  }),
  uploadImport: defineAction({
    accept: 'form',
    // read by hand: the verb decides authorization before the file is checked (no hint to those who may not upload)
    handler: async (form: FormData, context) => {
      const ctx = await contextOf(context);
      const datei = form.get('datei');
      const file = datei instanceof File ? datei : null;
      const content = file ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
      return mapDomainErrors(async () => stageImportUpload(ctx, { fileName: file?.name || 'import.csv', content }));
    },
  }),
  saveImportMapping: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const ctx = await contextOf(context);
      const uploadId = id.safeParse(form.get('uploadId'));
      if (!uploadId.success) throw new ActionError({ code: 'BAD_REQUEST', message: 'Ungültige Eingabe.' });
      const pairs = (source: string, target: string): Record<string, string> => {
        const s = form.getAll(source).map(String);
        const t = form.getAll(target).map(String);
        return Object.fromEntries(s.slice(0, 200).map((k, i) => [k.slice(0, 200), (t[i] ?? '').slice(0, 50)]));
      };
      await mapDomainErrors(async () =>
        saveImportMapping(ctx, { columns: pairs('columnSource', 'columnTarget') as never, jobRoles: pairs('roleSource', 'roleTarget') }),
      );
      return { uploadId: uploadId.data };
    },
  }),
  applyImport: defineAction({
    accept: 'form',
    input: z.object({ uploadId: id, deactivateMissing: z.enum(['ja', 'nein']).default('nein') }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      const r = await mapDomainErrors(async () =>
        applyImportUpload(ctx, { uploadId: input.uploadId, deactivateMissing: input.deactivateMissing === 'ja' }),
      );
      return { created: r.created, changed: r.changed, deactivated: r.deactivated, unchanged: r.unchanged, skipped: r.skipped.length };
    },
  }),
  discardImport: defineAction({
    accept: 'form',
    input: z.object({ uploadId: id }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => discardImportUpload(ctx, input.uploadId));
      return { ok: true };
    },
  }),
};
