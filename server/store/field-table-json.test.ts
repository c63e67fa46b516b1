import { describe, expect, it } from 'vitest';
import { decodeFieldTable, encodeFieldTable } from './field-table-json';

describe('field tables as JSON text', () => {
  it('keeps the AMQP types plain JSON would lose', () => {
    const table = {
      'x-max-length': 1000,
      'x-ratio': 0.5,
      'x-big': 9007199254740993n,
      'x-bytes': Buffer.from([0, 255, 7]),
      'x-time': new Date(1_700_000_000_000),
      'x-list': ['a', 1n, { nested: true }],
      'x-none': null,
    };
    const back = decodeFieldTable(encodeFieldTable(table));
    expect(back).toEqual(table);
    expect(typeof back['x-big']).toBe('bigint');
    expect(Buffer.isBuffer(back['x-bytes'])).toBe(true);
  });

  it('gives equal tables the same text whatever the key order', () => {
    expect(encodeFieldTable({ b: 1, a: { y: 2, x: 1 } })).toBe(encodeFieldTable({ a: { x: 1, y: 2 }, b: 1 }));
  });
});
