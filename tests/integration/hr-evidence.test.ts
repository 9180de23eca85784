
describe('audit log for HR', () => {
  test('lists entries newest first, filtered by kind; names only for people within the HR grant', async () => {
    const log = await listAuditLog(as(hr, 9), { type: 'user.created' });
    expect(log.items.length).toBeGreaterThan(5);
    expect(log.items.every((e) => e.type === 'user.created')).toBe(true);
    expect((log.items[0] as AuditLogEntry).seq).toBeGreaterThan((log.items.at(-1) as AuditLogEntry).seq);
    expect(log.items.map((e) => e.subject)).toContain('Olga Offen');
    const scoped = await listAuditLog(as(hrIt, 9), { type: 'user.created' });
    const subjects = scoped.items.map((e) => e.subject);
    expect(subjects).toContain('Ida Informatik');
    expect(subjects).not.toContain('Olga Offen');
    expect(subjects).toContain('Person außerhalb Ihres Bereichs');
    expect((await listAuditLog(as(otherHr, 9), {})).items.some((e) => e.subject === 'Olga Offen')).toBe(false);
    await expect(listAuditLog(as(council, 9), {})).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('the district-wide download verifies offline; HR limited to a subtree may not download it', async () => {
    const file = join(dir, 'audit.jsonl');
    const r = await exportDistrictAuditLog(as(hr, 9), file);
    expect(r.entries).toBeGreaterThan(10);
    const verified = await verifyAuditExport(file);
    expect(verified.ok).toBe(true);
    await expect(exportDistrictAuditLog(as(hrIt, 9), join(dir, 'x.jsonl'))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(exportDistrictAuditLog(as(learner, 9), join(dir, 'y.jsonl'))).rejects.toBeInstanceOf(ForbiddenError);
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);
  });
});
