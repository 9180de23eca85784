/** German validation messages for every zod schema in KIKO (zod's own locale; one global setting). */
import { z } from 'zod';

z.config(z.locales.de());
