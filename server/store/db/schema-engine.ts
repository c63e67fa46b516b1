/**
 * Loads Prisma's wasm schema engine (`@prisma/schema-engine-wasm`, the build that
 * matches prisma 7.10.0) and opens it over a driver adapter. The package's entry
 * imports the `.wasm` file as a module, which Node 20 cannot do, so we read and
 * instantiate the binary ourselves. Loading costs a few hundred milliseconds and
 * happens at most once per process, only when something has to be migrated.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ErrorCapturingSqlMigrationAwareDriverAdapterFactory, ErrorRegistry } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { describeCause } from './errors';

export type { SchemaEngine };

type Bindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg') & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let loading: Promise<typeof SchemaEngine> | undefined;

function loadSchemaEngineClass(): Promise<typeof SchemaEngine> {
  loading ??= (async () => {
    const bindings = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as Bindings;
    const require = createRequire(import.meta.url);
    const wasmFile = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmFile), {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings.SchemaEngine;
  })();
  return loading;
}

/**
 * Opens the engine on the database behind `adapterFactory`, with the Prisma
 * schema it migrates towards. `debug` receives the engine's own log lines.
 */
export async function openSchemaEngine(
  schema: { path: string; content: string },
  adapterFactory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  debug: (line: string) => void = () => {},
): Promise<SchemaEngine> {
  const SchemaEngineClass = await loadSchemaEngineClass();
  return SchemaEngineClass.new({ datamodels: [[schema.path, schema.content]] }, debug, adapterFactory);
}

const LOCKED = 'the database is locked by another connection (is another Warren process using it?)';

/**
 * The engine rejects with an Error whose `code` is Prisma's error code (P3005,
 * P3006, ...) and whose message may end in a span trace
 * (`0: schema_engine_wasm::...`). A driver failure shows in it only as
 * `External error id#N`, N indexing the adapter factory's error registry.
 * Make all that one readable line.
 */
export function describeEngineError(error: unknown, registry?: ErrorRegistry): string {
  const message = describeCause(error)
    .split(/\s+0: \w+::/)[0]! // split gives at least one part
    // The engine does not know the adapter's name for SQLITE_BUSY and dumps a stack instead.
    .replace(/Error in the underlying connector .*unknown variant `SocketTimeout`.*$/, LOCKED)
    .replace(/External error id#(\d+)/g, (text, id: string) => {
      const record = registry?.consumeError(Number(id));
      return record ? describeCause(record.error) : text;
    });
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return code ? `${code}: ${message}` : message;
}
