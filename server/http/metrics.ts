/** `/metrics`: the process's and the broker's totals in Prometheus text format. */
import type { Services } from '../services';

function line(name: string, help: string, type: 'gauge' | 'counter', value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
}

export function renderMetrics(services: Services): string {
  const m = process.memoryUsage();
  let out = '';
  out += line('warren_uptime_seconds', 'Seconds since this broker process started.', 'gauge', (Date.now() - services.startedAt) / 1000);
  out += line('warren_process_resident_memory_bytes', 'Resident set size of the broker process.', 'gauge', m.rss);
  out += line('warren_process_heap_used_bytes', 'V8 heap in use.', 'gauge', m.heapUsed);
  return out;
}
