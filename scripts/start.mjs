// `npm start`: build the console if needed, then run the broker in this same
// process (TypeScript through tsx), so signals reach it directly.
import { register } from 'tsx/esm/api';
import { ensureBuild } from './ensure-build.mjs';

const dev = process.argv.includes('--dev') || process.env.WARREN_DEV === '1';
if (!dev) {
  ensureBuild();
  process.env.NODE_ENV ??= 'production';
}
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
register();
await import('../server/main.ts');
