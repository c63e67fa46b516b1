// The `x-retry-tiers` queue argument: a list of 1 to 20 delays, each a number
// of milliseconds or a number with a unit ("250ms", "5s", "30s", "5m", "1h",
// "1d"). A bad value is refused with a reason that says what is accepted.

import { fieldTypeName, integerOf, textOf } from '../field-values';

export const MAX_TIERS = 20;
/** Ten years, the bound RabbitMQ puts on TTLs. */
const MAX_DELAY_MS = 315_360_000_000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// Reply texts are AMQP short strings (at most 255 bytes with RabbitMQ's prefix), so this stays terse.
const ACCEPTED = `accepted: 1 to ${MAX_TIERS} delays, each ms or a number with unit ms/s/m/h/d, e.g. ["5s","30s","5m","1h"]`;
/** Longest piece of a bad value echoed back. */
const ECHO_CHARS = 16;

export interface TierDelay {
  ms: number;
  /** How the console and the x-retry-tier header name it: the text given, or "<n>ms". */
  label: string;
}

/** Null when the value is a valid tier list, else the reason (quoted, as invalid-arg reasons are). */
export function retryTiersProblem(value: unknown): string | null {
  const result = parseTierList(value);
  return typeof result === 'string' ? `"${result}; ${ACCEPTED}"` : null;
}

/** The parsed tiers; call retryTiersProblem first (throws on a bad value). */
export function parseRetryTiers(value: unknown): TierDelay[] {
  const result = parseTierList(value);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

function parseTierList(value: unknown): TierDelay[] | string {
  if (!Array.isArray(value)) return `got ${fieldTypeName(value)}, not a list`;
  if (value.length === 0) return 'got an empty list';
  if (value.length > MAX_TIERS) return `got ${value.length} tiers`;
  const tiers: TierDelay[] = [];
  for (const item of value) {
    const tier = parseDelay(item);
    if (typeof tier === 'string') return tier;
    tiers.push(tier);
  }
  return tiers;
}

function parseDelay(item: unknown): TierDelay | string {
  const n = integerOf(item);
  if (n !== null) return checkRange(n, `${n}ms`, echo(String(n)));
  const text = textOf(item);
  if (text === null) return `delay of type ${fieldTypeName(item)} is not a number or text`;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return `delay '${echo(text)}' is not a number with a unit`;
  const unit = match[2]!.toLowerCase() || 'ms'; // both groups always take part
  const factor = UNIT_MS[unit];
  if (factor === undefined) return `delay '${echo(text)}' has unknown unit '${echo(match[2]!)}'`;
  return checkRange(Math.round(Number(match[1]) * factor), text.trim(), echo(text));
}

function echo(text: string): string {
  return text.length > ECHO_CHARS ? `${text.slice(0, ECHO_CHARS)}…` : text;
}

function checkRange(ms: number, label: string, given: string): TierDelay | string {
  if (ms < 0) return `delay '${given}' is negative`;
  if (ms > MAX_DELAY_MS) return `delay '${given}' is longer than ten years`;
  return { ms, label };
}
