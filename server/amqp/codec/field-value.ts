/**
 * JavaScript shapes of AMQP field-table values, as decoded by field-table.ts.
 *
 * Decoding maps each wire type to the nearest JS value; encoding picks the
 * wire type from the JS value:
 *   boolean        <-> 't'
 *   number         <-  'b' 'B' 's' 'u' 'I' 'i' 'f' 'd'; -> 'I' (int32), 'l' (other safe integers), 'd'
 *   number|bigint  <-  'l' 'L' (bigint only beyond Number.MAX_SAFE_INTEGER); bigint -> 'l'
 *   string         <-> 'S'
 *   Buffer         <-> 'x'
 *   Date           <-> 'T' (whole seconds on the wire)
 *   Decimal        <-> 'D'
 *   null           <-> 'V'
 *   FieldValue[]   <-> 'A'
 *   FieldTable     <-> 'F'
 */
export type FieldValue = boolean | number | bigint | string | Buffer | Date | Decimal | null | FieldValue[] | FieldTable;

/**
 * A field table. Decoded tables hold FieldValues only; the index type is
 * `unknown` so that tables built elsewhere (the engine's headers, typed
 * Record<string, unknown>) can be encoded without casts. Encoding skips
 * undefined entries and writes values of no AMQP type (functions, symbols)
 * as void.
 */
export interface FieldTable {
  [key: string]: unknown;
}

/** AMQP decimal: value / 10^scale, kept exact. */
export class Decimal {
  constructor(
    readonly scale: number,
    readonly value: number,
  ) {}
}
