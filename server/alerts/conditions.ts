/**
 * The conditions an alert rule can watch, each on the queues (or the stream
 * consumer groups) whose names match the rule's pattern: what value it reads,
 * in what unit, and whether the value breaches the threshold.
 */

export const CONDITIONS = [
  'depth_above',
  'oldest_age_above',
  'consumers_below',
  'group_lag_messages_above',
  'group_lag_seconds_above',
  'dead_letters_growing',
  'publish_stopped',
] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface ConditionInfo {
  id: Condition;
  /** What the console's form shows. */
  label: string;
  /** queue: the pattern matches queue names; group: stream names, and each of the stream's groups is watched. */
  on: 'queue' | 'group';
  unit: string;
  /** breached when the value is above the threshold, or below (consumers), or at or below (publish rate). */
  breach: 'above' | 'below' | 'at-most';
  /** Short wording for messages: "depth 60 above 50 messages". */
  what: string;
}

export const CONDITION_INFO: Record<Condition, ConditionInfo> = {
  depth_above: { id: 'depth_above', label: 'Queue depth above N messages', on: 'queue', unit: 'messages', breach: 'above', what: 'depth' },
  oldest_age_above: {
    id: 'oldest_age_above',
    label: 'Oldest message older than T seconds',
    on: 'queue',
    unit: 'seconds',
    breach: 'above',
    what: 'oldest message age',
  },
  consumers_below: { id: 'consumers_below', label: 'Consumers fewer than N', on: 'queue', unit: 'consumers', breach: 'below', what: 'consumers' },
  group_lag_messages_above: {
    id: 'group_lag_messages_above',
    label: 'Stream group lag above N messages',
    on: 'group',
    unit: 'messages',
    breach: 'above',
    what: 'lag',
  },
  group_lag_seconds_above: {
    id: 'group_lag_seconds_above',
    label: 'Stream group lag above T seconds',
    on: 'group',
    unit: 'seconds',
    breach: 'above',
    what: 'lag',
  },
  dead_letters_growing: {
    id: 'dead_letters_growing',
    label: 'Dead-letter queue growing faster than N messages/s (0: any new message)',
    on: 'queue',
    unit: 'msg/s',
    breach: 'above',
    what: 'messages arriving',
  },
  publish_stopped: {
    id: 'publish_stopped',
    label: 'Publish rate dropping to N messages/s (0: stopped), once publishing has begun',
    on: 'queue',
    unit: 'msg/s',
    breach: 'at-most',
    what: 'publish rate',
  },
};

export function breached(condition: Condition, value: number, threshold: number): boolean {
  const b = CONDITION_INFO[condition].breach;
  return b === 'above' ? value > threshold : b === 'below' ? value < threshold : value <= threshold;
}

/** "depth 60 above 50 messages", for payloads and banners. */
export function describeBreach(condition: Condition, value: number, threshold: number): string {
  const info = CONDITION_INFO[condition];
  const shown = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 1 });
  const relation = info.breach === 'above' ? 'above' : info.breach === 'below' ? 'below' : 'at or below';
  return `${info.what} ${shown(value)} ${relation} ${shown(threshold)} ${info.unit}`;
}

/** "depth now 3 messages (fires above 50)", for recoveries. */
export function describeValue(condition: Condition, value: number, threshold: number): string {
  const info = CONDITION_INFO[condition];
  const shown = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 1 });
  const relation = info.breach === 'above' ? 'above' : info.breach === 'below' ? 'below' : 'at or below';
  return `${info.what} now ${shown(value)} ${info.unit} (fires ${relation} ${shown(threshold)})`;
}
