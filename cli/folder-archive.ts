import { createReadStream } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ArchiveSource } from '../shared/backtest/archive-source.js';

/**
 * An archive in a folder laid out like the bucket (what the local stack writes under `<data>/s3/<bucket>`, or a
 * bucket synced down): keys are paths relative to the folder, with `/`. A single file is an archive of one object.
 */
export function folderArchive(location: string): ArchiveSource {
  const root = path.resolve(location);
  return {
    description: root,
    async *listKeys() {
      const info = await stat(root);
      if (info.isFile()) {
        yield path.basename(root);
        return;
      }
      yield* walk(root, '');
    },
    openObject: async (key: string): Promise<Readable> => {
      const info = await stat(root);
      const file = info.isFile() ? root : path.join(root, ...key.split('/'));
      const stream = createReadStream(file);
      // Surfaces ENOENT and EACCES here, as a failed open, rather than mid-read.
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
      return stream;
    },
  };
}

/** Files under `directory`, depth first, names sorted so every run lists them in the same order. */
async function* walk(directory: string, prefix: string): AsyncGenerator<string> {
  const entries: { name: string; directory: boolean }[] = [];
  for await (const entry of await opendir(directory)) {
    if (entry.isDirectory() || entry.isFile())
      entries.push({ name: entry.name, directory: entry.isDirectory() });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const key = `${prefix}${entry.name}`;
    if (entry.directory) yield* walk(path.join(directory, entry.name), `${key}/`);
    else yield key;
  }
}
