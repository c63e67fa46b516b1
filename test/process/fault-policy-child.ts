// Child for fault-policy.test.ts: installs the policy, then misbehaves as told.
import { installFaultPolicy } from '../../server/process-faults';

installFaultPolicy();
const what = process.argv[2];
if (what === 'rejection') {
  void Promise.reject(new Error('nobody handles this'));
  setTimeout(() => {
    console.log('still serving');
    process.exit(0);
  }, 100);
} else {
  setTimeout(() => {
    throw new TypeError('thrown from a timer');
  }, 10);
  setTimeout(() => console.log('should never print'), 500);
}
