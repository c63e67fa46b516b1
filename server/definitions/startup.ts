/**
 * RabbitMQ's load_definitions: a file named by WARREN_DEFINITIONS is imported
 * at every start, after the durable state is back and before any client can
 * connect. Being idempotent, a second start finds everything identical. A
 * file that cannot be read or fails validation stops start-up, with one line
 * naming the setting and the first problem.
 */
import { readFile } from 'node:fs/promises';
import type { DefinitionsServices } from './current-state';
import { importDefinitions } from './import';
import { describeProblems } from './report';

export class DefinitionsLoadError extends Error {}

/** Imports `file`; resolves with a line saying what it did, throws DefinitionsLoadError saying what is wrong. */
export async function loadDefinitionsAtStart(services: DefinitionsServices, file: string, setting: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DefinitionsLoadError(`cannot read ${setting} "${file}": ${(error as Error).message}`);
  }
  const report = await importDefinitions(services, text, { apply: true });
  if (!report.applied) {
    const problems = describeProblems(report);
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}; the console's Definitions page shows them all)` : '';
    throw new DefinitionsLoadError(`${setting} "${file}" was not loaded, nothing in it was applied: ${problems[0]}${more}`);
  }
  const { created, identical, different, skipped } = report.counts;
  return `definitions: loaded ${file}: ${created} created, ${identical} already there, ${different} different and kept, ${skipped} skipped`;
}
