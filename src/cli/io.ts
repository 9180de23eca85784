/** Small helpers shared by CLI commands: output, flags and usage errors. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A mistake in how the command was called: printed with usage, exit code 2. */
export class UsageError extends Error {}

type FlagKind = 'string' | 'boolean';

/** Parses `--name value` and `--flag` arguments; unknown flags are usage errors. */
export function parseFlags<T extends Record<string, FlagKind>>(
  args: string[],
  spec: T,
): Partial<Record<keyof T, string | boolean>> & { _: string[] } {
  const result: Record<string, string | boolean | string[]> = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      (result._ as string[]).push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind) throw new UsageError(`Unbekannte Option --${name}`);
    if (kind === 'boolean') result[name] = true;
    else {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`Option --${name} braucht einen Wert`);
      result[name] = value;
    }
  }
  return result as never;
}
