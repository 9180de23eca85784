// Fails loudly when the running Node is older than Astro 7 needs, e.g. after `npm ci --ignore-scripts`
// (then the project's own Node 24 from the npm package `node` is missing from node_modules/.bin).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `KIKO braucht Node.js >= 22.12 (läuft: ${process.version}). ` +
      'Führen Sie `npm ci` ohne --ignore-scripts aus, damit das Projekt sein eigenes Node 24 installiert, ' +
      'oder nutzen Sie Node 24 (siehe .nvmrc).',
  );
  process.exit(1);
}
