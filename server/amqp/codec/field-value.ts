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
export type FieldValue =
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Date
  | Decimal
  | null
  | FieldValue[]
  | FieldTable;

export interface FieldTable {
  [key: string]: FieldValue | undefined;
}

/** AMQP decimal: value / 10^scale, kept exact. */
export class Decimal {
  constructor(
    readonly scale: number,
    readonly value: number,
  ) {}
}
