/** Entry of the `kiko` command line: dispatches to the command modules, maps errors to exit codes. */
import { type CliIo, processIo, UsageError } from './io.ts';

const USAGE = `Aufruf: kiko <befehl>

  serve                               KIKO starten (migriert die Datenbank, Demo-Daten im Demo-Modus)
  db migrate                          Datenbank-Migrationen anwenden
  db backup DATEI [--force]           Datenbank sichern (auch während KIKO läuft)
  db restore DATEI [--force] [--operator NAME]   Datenbank aus einer Sicherung wiederherstellen
  demo seed                           Demo-Landkreise anlegen (idempotent)
  user create --tenant T --email E --name N [--role R] [--job-role J] [--password P]
  users import --tenant T DATEI [--dry-run] [--deactivate-missing] [--operator NAME]   Beschäftigte aus CSV übernehmen
  retention run --tenant T [--dry-run] [--operator NAME]   deaktivierte Konten nach Ablauf der Frist löschen
  content check [--overlay DIR]       Kursinhalte prüfen
  content stats [--json]              Umfang der Inhalte
  audit verify --tenant T [--checkpoint DATEI] | --file EXPORT   Audit-Protokoll prüfen
  audit export --tenant T --out DATEI    Audit-Protokoll exportieren (offline prüfbar)
  audit checkpoint --tenant T            signierten Kontrollpunkt schreiben
  reminders send --tenant T [--status not-started|overdue|refresher-due] [--template ID] [--dry-run] [--operator NAME]
                                      Erinnerungen per E-Mail versenden
  tenant sso --tenant T --issuer URL --client-id ID [--password-login on|off] [--operator NAME]   Anmeldung mit dem Dienstkonto
  evidence export --tenant T --format csv|csv-excel|xlsx|json|pdf --out DATEI [--as-of DATUM] [--recorded-by DATUM]
                  [--org-unit ID] [--job-role J] [--status S] [--operator NAME]   Nachweis Art. 4 KI-VO exportieren`;

type Command = (args: string[], io: CliIo) => Promise<number>;

async function lazy(name: string): Promise<Command> {
  switch (name) {
    case 'content':
      return (await import('./content.ts')).contentCommand;
    case 'db':
    case 'demo':
    case 'user':
    case 'users':
    case 'serve':
    case 'audit':
    case 'reminders':
    case 'retention':
    case 'tenant':
    case 'evidence':
    case 'certificates': {
      const mod = await import(`./${name}.ts`);
      return mod.default as Command;
    }
    default:
      throw new UsageError(`Unbekannter Befehl "${name}"`);
  }
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  try {
    const run = await lazy(command);
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`Fehler: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`Fehler: ${(error as Error).message}`);
    return 1;
  }
}
