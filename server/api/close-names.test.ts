import { describe, expect, it } from 'vitest';
import { closeNames } from './close-names';

describe('closeNames', () => {
  it('suggests the names a typo is closest to, closest first', () => {
    const names = ['orders.process', 'orders.processed', 'orders.dlq', 'billing'];
    expect(closeNames('orders.proccess', names)).toEqual(['orders.process', 'orders.processed']);
  });

  it('suggests nothing when no name is close', () => {
    expect(closeNames('payments', ['orders.process', 'billing'])).toEqual([]);
  });

  it('ignores case', () => {
    expect(closeNames('Billing', ['billing'])).toEqual(['billing']);
  });
});
