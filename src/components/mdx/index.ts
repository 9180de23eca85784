/** Components available in every lesson without an import (passed to <Content components={…} />). */
import Callout from './Callout.astro';
import Checkliste from './Checkliste.astro';
import Fall from './Fall.astro';
import Lokal from './Lokal.astro';
import Prompt from './Prompt.astro';
import PromptVergleich from './PromptVergleich.astro';
import Warum from './Warum.astro';

export const mdxComponents = { Callout, Checkliste, Fall, Lokal, Prompt, PromptVergleich, Warum };
