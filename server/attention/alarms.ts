/** Rule: a resource alarm (memory, disk) is raised: every publisher is blocked until it clears. */
import type { Finding } from './finding';

export function alarmRaised(alarm: { source: string; reason: string }): Finding {
  return {
    kind: 'alarm',
    severity: 'critical',
    target: { kind: 'broker', source: alarm.source },
    summary: `${alarm.source} alarm: ${alarm.reason}; publishers are blocked`,
    urgency: 0,
  };
}
