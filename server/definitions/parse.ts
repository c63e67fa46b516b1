/**
 * Reads the text of a definitions file: JSON, the fields RabbitMQ writes and
 * no others, the right kinds of value. Every problem becomes an error line
 * naming the object and saying what to change; nothing is guessed.
 */
import { ENTRY, fileShape, SECTIONS, type DefinitionsFile, type Section } from './format';
import { KIND_OF, objectName } from './names';
import type { ReportLine } from './report';

/** Entries checked between two yields to the event loop. */
const SLICE = 1000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type Parsed = { ok: true; file: DefinitionsFile } | { ok: false; lines: ReportLine[] };

function fileError(detail: string): ReportLine {
  return { kind: 'file', object: 'the file', outcome: 'error', detail };
}

/**
 * Parses `text`. With `vhost` (a per-vhost import), objects without a
 * `vhost` field go into that vhost; without it, such objects are an error.
 */
export async function parseDefinitions(text: string, vhost?: string): Promise<Parsed> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      lines: [fileError(`is not JSON (${(error as Error).message}): export the definitions again, e.g. with rabbitmqctl export_definitions file.json`)],
    };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, lines: [fileError('is not a definitions file: it must be one JSON object with lists such as "queues" and "exchanges"')] };
  }
  // Unknown top-level fields are reported beside the entries' problems, not instead of them.
  const known = Object.keys(fileShape.shape);
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  const top = fileShape.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => known.includes(k))));
  if (!top.success) return { ok: false, lines: top.error.issues.map((issue) => issueLine(raw as Record<string, unknown>, issue)) };
  const problems: ReportLine[] = [];
  const file = { rabbit_version: top.data.rabbit_version, rabbitmq_version: top.data.rabbitmq_version } as DefinitionsFile;
  let checked = 0;
  for (const section of SECTIONS) {
    const entries: unknown[] = [];
    for (const [index, entry] of top.data[section].entries()) {
      const result = ENTRY[section].safeParse(entry);
      if (result.success) entries.push(result.data);
      else
        for (const issue of result.error.issues) problems.push(issueLine(raw as Record<string, unknown>, { ...issue, path: [section, index, ...issue.path] }));
      if (++checked % SLICE === 0) await yieldToEventLoop();
    }
    (file as Record<Section, unknown[]>)[section] = entries;
  }
  if (unknown.length > 0) problems.push(issueLine(raw as Record<string, unknown>, { code: 'unrecognized_keys', path: [], message: '', keys: unknown }));
  if (problems.length > 0) return { ok: false, lines: problems };
  const lines: ReportLine[] = [];
  for (const section of ['parameters', 'policies', 'queues', 'exchanges', 'bindings'] as const) {
    const entries = file[section] as { vhost?: string }[];
    entries.forEach((entry, index) => {
      if (vhost !== undefined) entry.vhost ??= vhost;
      if (entry.vhost === undefined) {
        lines.push({
          kind: KIND_OF[section],
          object: objectName(section, (raw as Record<string, unknown[]>)[section]![index]), // no problems: entries are raw's, one for one
          outcome: 'error',
          detail: 'has no "vhost": add one, or import the file into one vhost (a per-vhost export has none)',
        });
      }
    });
  }
  return lines.length > 0 ? { ok: false, lines } : { ok: true, file };
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** One zod issue as a report line naming the object it is about. */
function issueLine(raw: Record<string, unknown>, issue: Issue): ReportLine {
  const [section, index, ...rest] = issue.path;
  const known = SECTIONS.includes(section as Section);
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    const keys = issue.keys ?? [];
    return fileError(
      `has unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}: a RabbitMQ definitions file has ${['rabbit_version', ...SECTIONS].join(', ')}; remove or rename ${keys.length > 1 ? 'them' : 'it'}`,
    );
  }
  if (!known || typeof index !== 'number') {
    return fileError(`"${String(section)}" ${issue.message.toLowerCase()}: it must be a list of objects`);
  }
  const s = section as Section;
  const entry = (raw[s] as unknown[])[index];
  const object = objectName(s, entry);
  const field = rest.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys ?? [];
    const where = field === '' ? '' : ` in "${field}"`;
    return {
      kind: KIND_OF[s],
      object,
      outcome: 'error',
      detail: `has unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}${where}: remove ${keys.length > 1 ? 'them' : 'it'} or correct the spelling`,
    };
  }
  return {
    kind: KIND_OF[s],
    object,
    outcome: 'error',
    detail: `"${field || 'entry'}": ${issue.message.replace(/^Invalid input: /, '')}; correct it in the file`,
  };
}
