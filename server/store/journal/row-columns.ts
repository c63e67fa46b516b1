// Columns of the journal index's rows (live-index.ts), stored in chunks of
// CHUNK_ROWS rows that are added as rows are, and never copied or given
// back. A column doubled on demand would reserve up to twice the rows in use
// (67% more than needed at 10M rows) and, at each doubling, copy tens of
// megabytes into a new buffer, whose allocation counts towards the external
// memory that makes V8 start a full collection of the heap.
//
// Rows are only read below `rows` (what ensure() covered), hence the `!`.

const CHUNK_SHIFT = 16;
const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const ROW_MASK = CHUNK_ROWS - 1;

type Chunk = Float64Array | Int32Array | Uint8Array;

/** A column of numbers; new rows read as `initial`. */
export class NumberColumn {
  private readonly chunks: Chunk[] = [];

  constructor(
    private readonly makeChunk: (rows: number) => Chunk,
    private readonly initial = 0,
  ) {}

  /** Makes rows [0, rows) addressable. */
  ensure(rows: number): void {
    while (this.chunks.length * CHUNK_ROWS < rows) {
      const chunk = this.makeChunk(CHUNK_ROWS);
      if (this.initial !== 0) chunk.fill(this.initial);
      this.chunks.push(chunk);
    }
  }

  get(row: number): number {
    return this.chunks[row >>> CHUNK_SHIFT]![row & ROW_MASK]!;
  }

  set(row: number, value: number): void {
    this.chunks[row >>> CHUNK_SHIFT]![row & ROW_MASK] = value;
  }

  /** Adds `delta` to the row and returns the new value. */
  add(row: number, delta: number): number {
    const chunk = this.chunks[row >>> CHUNK_SHIFT]!;
    const value = chunk[row & ROW_MASK]! + delta;
    chunk[row & ROW_MASK] = value;
    return value;
  }

  get byteLength(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }
}

export const float64Column = (initial = 0) => new NumberColumn((rows) => new Float64Array(rows), initial);
export const int32Column = (initial = 0) => new NumberColumn((rows) => new Int32Array(rows), initial);
export const uint8Column = () => new NumberColumn((rows) => new Uint8Array(rows));

/** A column of object references; new rows read as undefined. */
export class ObjectColumn<T> {
  private readonly chunks: (T | undefined)[][] = [];

  ensure(rows: number): void {
    while (this.chunks.length * CHUNK_ROWS < rows) this.chunks.push(new Array<T | undefined>(CHUNK_ROWS).fill(undefined));
  }

  get(row: number): T | undefined {
    return this.chunks[row >>> CHUNK_SHIFT]![row & ROW_MASK];
  }

  set(row: number, value: T | undefined): void {
    this.chunks[row >>> CHUNK_SHIFT]![row & ROW_MASK] = value;
  }
}
