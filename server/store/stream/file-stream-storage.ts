// The broker's streams on disk: one directory per stream under `root`,
// <root>/<vhost>/<name>/, both names percent-encoded (dots too, so that no
// name can climb out of the root).

import { join } from 'node:path';
import type { StreamLimits, StreamStorage, StreamStore } from '../../broker/stream/stream-store';
import { FileStreamStore } from './file-stream-store';

export class FileStreamStorage implements StreamStorage {
  readonly durable = true;
  private readonly openStores = new Set<FileStreamStore>();

  constructor(readonly root: string) {}

  /** Directory of a stream's files. */
  directoryOf(vhost: string, name: string): string {
    return join(this.root, encodeName(vhost), encodeName(name));
  }

  open(vhost: string, name: string, limits: StreamLimits): StreamStore {
    const store: FileStreamStore = new FileStreamStore(this.directoryOf(vhost, name), limits, () => this.openStores.delete(store));
    this.openStores.add(store);
    return store;
  }

  close(): void {
    for (const store of [...this.openStores]) store.close();
  }
}

function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}
