/**
 * The process's logger (pino): one JSON object per line on stdout, or
 * pino-pretty's coloured lines when stdout is a terminal; the level comes
 * from WARREN_LOG_LEVEL. Modules take a child logger naming them
 * (`logger.child({ module: 'amqp' })`) and log events with fields rather
 * than sentences to parse. Both outputs write synchronously, so the last
 * lines before an exit are never lost and shutdown needs no flush.
 * Passwords and message bodies are never logged; `password` and `body`
 * fields are censored anyway, should one slip into an object.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { LOG_LEVELS, type LogLevel } from './config';

export type { Logger };

export interface LoggerOptions {
  level: LogLevel;
  /** Pretty lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go (tests); default stdout. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['password', '*.password', 'body', '*.body'], censor: '[not logged]' },
  };
  const destination =
    options.destination ??
    ((options.pretty ?? process.stdout.isTTY === true)
      ? pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' })
      : pino.destination({ dest: 1, sync: true }));
  return pino(settings, destination);
}

let processLogger: Logger | undefined;

/**
 * The logger of modules started without one (tests, scripts): the level of
 * WARREN_LOG_LEVEL, or error (tests provoke channel errors by the hundred). The process's own is made by main.ts from its
 * settings and handed to each module.
 */
export function defaultLogger(): Logger {
  const level = LOG_LEVELS.find((l) => l === process.env.WARREN_LOG_LEVEL) ?? 'error';
  return (processLogger ??= createLogger({ level }));
}
