/**
 * Importing a definitions file: parse, plan against what Warren holds,
 * rehearse the topology on a scratch broker, and only when no entry has an
 * error, make the changes (all of them, or, when one fails, none). Imports
 * run one at a time. The report says, entry by entry, what was (or, with
 * `apply: false`, would be) created, what already existed identically, what
 * differed and was left as it is, and what was skipped and why.
 */
import { applyChanges, ImportStopped } from './apply';
import type { DefinitionsServices } from './current-state';
import { parseDefinitions } from './parse';
import { planImport } from './plan';
import { rehearse } from './rehearse';
import { buildReport, type DefinitionsReport } from './report';

export type { DefinitionsServices } from './current-state';

export interface ImportOptions {
  /** false: a preview, the report only. */
  apply: boolean;
  /** Import into this vhost (RabbitMQ's POST /api/definitions/{vhost}): objects without a `vhost` go there. */
  vhost?: string;
}

let running: Promise<unknown> = Promise.resolve();

export function importDefinitions(services: DefinitionsServices, text: string, options: ImportOptions): Promise<DefinitionsReport> {
  const next = running.then(() => importNow(services, text, options));
  running = next.catch(() => {});
  return next;
}

async function importNow(services: DefinitionsServices, text: string, options: ImportOptions): Promise<DefinitionsReport> {
  const parsed = await parseDefinitions(text, options.vhost);
  if (!parsed.ok) return buildReport(parsed.lines, null, false);
  const version = parsed.file.rabbit_version ?? parsed.file.rabbitmq_version ?? null;
  const items = await planImport(services, parsed.file, options.vhost);
  await rehearse(services.broker, items);
  const lines = items.map((i) => i.line);
  if (!options.apply || lines.some((l) => l.outcome === 'error')) return buildReport(lines, version, false);
  const changes = items.filter((i) => i.apply && i.change !== undefined);
  const named = new Map(changes.map((i) => [i.change!, i.line.object]));
  try {
    await applyChanges(
      services,
      changes.map((i) => i.change!),
      (change) => named.get(change) ?? change.type,
    );
  } catch (error) {
    if (!(error instanceof ImportStopped)) throw error;
    return buildReport([...lines, { kind: 'file', object: 'the import', outcome: 'error', detail: error.message }], version, false);
  }
  return buildReport(lines, version, true);
}
