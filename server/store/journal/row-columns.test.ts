import { describe, expect, it } from 'vitest';
import { float64Column, int32Column, ObjectColumn, uint8Column } from './row-columns';

describe('row columns', () => {
  it('keep every row across chunk boundaries and start new rows at their initial value', () => {
    const ids = float64Column(NaN);
    const refs = int32Column();
    const flags = uint8Column();
    const objects = new ObjectColumn<{ row: number }>();
    const rows = 200_000; // three chunks of 65,536 rows and part of a fourth
    for (const column of [ids, refs, flags, objects]) column.ensure(rows);
    expect(Number.isNaN(ids.get(rows - 1))).toBe(true);
    expect(objects.get(rows - 1)).toBeUndefined();
    for (let row = 0; row < rows; row++) {
      ids.set(row, 2 ** 40 + row);
      refs.set(row, row);
      flags.set(row, row & 1);
      objects.set(row, { row });
    }
    expect(refs.add(65_536, 1)).toBe(65_537);
    expect(refs.add(65_535, -65_535)).toBe(0);
    expect(ids.get(131_072)).toBe(2 ** 40 + 131_072);
    expect(flags.get(65_537)).toBe(1);
    expect(objects.get(199_999)).toEqual({ row: 199_999 });
    expect(ids.byteLength).toBe(4 * 65_536 * 8);
  });
});
