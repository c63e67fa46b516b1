/**
 * A protocol error found while decoding or framing. It always closes the
 * connection (the codec cannot resynchronise a byte stream), with replyCode
 * taken from the spec's hard errors: 501 FRAME_ERROR, 502 SYNTAX_ERROR,
 * 505 UNEXPECTED_FRAME, 540 NOT_IMPLEMENTED.
 */
export class CodecError extends Error {
  constructor(
    readonly replyCode: number,
    readonly replyText: string,
  ) {
    super(replyText);
    this.name = 'CodecError';
  }
}

export function syntaxError(what: string): CodecError {
  return new CodecError(502, `SYNTAX_ERROR - ${what}`);
}

/**
 * A field that frames correctly but cannot be accepted: a short string whose
 * bytes are not UTF-8. Unlike a CodecError the stream stays in step, so a
 * method on a channel closes only that channel (406); the connection class
 * closes the connection.
 */
export class FieldValueError extends Error {
  readonly replyCode = 406;
  constructor(readonly replyText: string) {
    super(replyText);
    this.name = 'FieldValueError';
  }
}
