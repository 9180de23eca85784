#!/usr/bin/env node
// Usage: node bench/profile-top.mjs FILE.cpuprofile [N]  – where the server spent its time (self time).
import { profileTop } from './lib/profile-top.ts';

const [file, n] = process.argv.slice(2);
if (!file) {
  console.error('Usage: node bench/profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const r = profileTop(file, Number(n ?? 25));
console.log(`Total sampled: ${r.total} ms\n\nBy package / file:`);
for (const e of r.places) console.log(`${String(e.ms).padStart(8)} ms ${String(e.percent).padStart(5)} %  ${e.name}`);
console.log('\nBy function (self time):');
for (const e of r.functions) console.log(`${String(e.ms).padStart(8)} ms ${String(e.percent).padStart(5)} %  ${e.name}`);
