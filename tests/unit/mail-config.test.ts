/** Mail configuration: KIKO_SMTP_URL and KIKO_MAIL_FROM are checked at start; logs show the SMTP host only. */
import { describe, expect, test } from 'vitest';
import { ConfigError, parseEnv } from '../../src/lib/server/config/env.ts';
import { describeSmtp, mailDelivery } from '../../src/lib/server/mail/mail-config.ts';
import { reminderTextProblem, renderReminder } from '../../src/lib/server/reminders/reminder-template.ts';

describe('mail configuration', () => {
  test('without KIKO_SMTP_URL mails go to the outbox', () => {
    expect(mailDelivery(parseEnv({})).mode).toBe('outbox');
  });
  test('accepts smtp:// and smtps:// with a sender', () => {
    const env = parseEnv({
      KIKO_SMTP_URL: 'smtps://kiko:geheim@mail.landkreis.example:465',
      KIKO_MAIL_FROM: 'KIKO <kiko@landkreis.example>',
    });
    expect(mailDelivery(env)).toMatchObject({ mode: 'smtp', from: 'KIKO <kiko@landkreis.example>' });
  });
  test('refuses another scheme, naming the variable but not the value', () => {
    expect(() => parseEnv({ KIKO_SMTP_URL: 'http://kiko:geheim@mail.example', KIKO_MAIL_FROM: 'kiko@x.example' })).toThrow(
      /KIKO_SMTP_URL: muss mit smtp:\/\//,
    );
    try {
      parseEnv({ KIKO_SMTP_URL: 'http://kiko:geheim@mail.example' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).not.toContain('geheim');
    }
  });
  test('requires a sender with an SMTP server', () => {
    expect(() => parseEnv({ KIKO_SMTP_URL: 'smtp://mail.landkreis.example' })).toThrow(/KIKO_MAIL_FROM: fehlt/);
    expect(() => parseEnv({ KIKO_SMTP_URL: 'smtp://mail.landkreis.example', KIKO_MAIL_FROM: 'keine adresse' })).toThrow(/KIKO_MAIL_FROM/);
  });
  test('describes the SMTP server without user name or password', () => {
    expect(describeSmtp('smtp://kiko:geheim@mail.landkreis.example:587')).toBe('smtp://mail.landkreis.example:587');
  });
});

describe('reminder templates', () => {
  test('names every unknown placeholder, also in the subject', () => {
    expect(reminderTextProblem({ subject: 'Hallo {vorname}', body: '{kurs} {datum}' })).toMatch(
      /Unbekannte Vorlagenfelder \{vorname\}, \{datum\}/,
    );
  });
  test('refuses an empty subject or body and a subject over two lines', () => {
    expect(reminderTextProblem({ subject: ' ', body: 'x' })).toMatch(/Betreff/);
    expect(reminderTextProblem({ subject: 'x', body: '' })).toMatch(/Text/);
    expect(reminderTextProblem({ subject: 'a\nb', body: 'x' })).toMatch(/einer Zeile/);
  });
  test('fills every placeholder and keeps other braces out', () => {
    const r = renderReminder(
      { subject: '{kurs} bis {faellig}', body: 'Hallo {name}: {link}' },
      { name: 'Anna', kurs: 'Grundlagen', faellig: '01.02.2027', link: 'https://k/x' },
    );
    expect(r).toEqual({ subject: 'Grundlagen bis 01.02.2027', body: 'Hallo Anna: https://k/x' });
  });
});
