// The engine and the AMQP codec keep their own copies of a few definitions
// (the engine imports nothing from the wire layer): reply codes, basic
// properties, field tables. These tests pin each pair together, so that a
// change to one without the other fails here instead of at a cast.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FieldTable as CodecFieldTable } from '../../server/amqp/codec/field-value';
import { ReplyCode as SpecReplyCode, type BasicProperties } from '../../server/amqp/codec/generated/spec';
import { ReplyCode } from '../../server/broker/errors';
import type { FieldTable, MessageProperties } from '../../server/broker/types';

describe('definitions shared by the engine and the codec', () => {
  it("the engine's reply codes are the spec's (but 200, which is no error)", () => {
    const { REPLY_SUCCESS: _success, ...specErrors } = SpecReplyCode;
    expect(ReplyCode).toEqual(specErrors);
  });

  it('MessageProperties is BasicProperties, and the field tables are one type', () => {
    expectTypeOf<MessageProperties>().toEqualTypeOf<BasicProperties>();
    expectTypeOf<FieldTable>().toEqualTypeOf<CodecFieldTable>();
  });
});
