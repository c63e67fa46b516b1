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
