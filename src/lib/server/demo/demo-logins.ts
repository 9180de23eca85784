/** The demo accounts printed at start and documented in the README (demo mode only). */
export const DEMO_PASSWORD = 'kiko-demo';

export const DEMO_LOGINS = [
  { email: 'lena.lernende@musterstadt.example', role: 'Lernende', name: 'Lena Lernende' },
  { email: 'max.multiplikator@musterstadt.example', role: 'KI-Multiplikator', name: 'Max Multiplikator' },
  { email: 'paula.personal@musterstadt.example', role: 'Personal', name: 'Paula Personal' },
  { email: 'admin@musterstadt.example', role: 'Administration', name: 'Anna Admin' },
  { email: 'betrieb@kiko.example', role: 'Betrieb (IT-Dienstleister)', name: 'Bernd Betrieb' },
] as const;
