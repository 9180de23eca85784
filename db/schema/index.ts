/** All tables of KIKO; one file per aggregate. */
export * from './audit.ts';
export * from './certificates.ts';
export * from './cohorts.ts';
export * from './evidence.ts';
export * from './exports.ts';
export * from './imports.ts';
export * from './learning.ts';
export * from './mail.ts';
export * from './rate-limits.ts';
export * from './sessions.ts';
export * from './sso.ts';
export * from './tenants.ts';
export * from './users.ts';
