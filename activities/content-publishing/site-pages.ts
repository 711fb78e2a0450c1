/**
 * Where the published site's files go: a small object-store-like interface (read, write, remove, list by prefix, and
 * one publisher at a time), so the site's pages and feed can live where every worker host reaches them. The
 * implementation here is a directory, on a shared volume when there are several hosts (SITE_DIR); an object store
 * (S3, GCS, Azure Blob) implements the same five methods, its bucket served as the site.
 *
 * Names are relative, `/`-separated paths ("hello-world.html", ".feed/hello-world.json"); names starting with a dot
 * are the store's own and are never served (src/tools/dev-stack/site-server.ts refuses hidden paths).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import { TransientError } from '../kit/errors';

/** The site's files, wherever they are kept. */
export interface SitePages {
  /** Where the files are, for messages (a directory, a bucket URL). */
  readonly location: string;
  /** The file's text, or undefined when there is none. */
  read(name: string): Promise<string | undefined>;
  /** Replaces the file whole: a reader sees the old text or the new, never a part. */
  write(name: string, content: string): Promise<void>;
  /** Removes the file; true when there was one. */
  remove(name: string): Promise<boolean>;
  /** The names of the files directly under a folder prefix ("" or ".feed/"), without the store's temporary files. */
  list(prefix: string): Promise<string[]>;
  /** Runs `work` while no other publisher of these pages, on any host, runs one: publications take turns. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

const LOCK = '.publishing.lock';
/** A lock older than this is a crashed publisher's: publishing a page takes milliseconds. */
const STALE_LOCK_MS = 30_000;
/** How long a publisher waits for the lock before its attempt fails (and is retried). */
const LOCK_WAIT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * The site in a directory: on one machine the data directory's `site/`, on several hosts a shared volume (NFS, a
 * compose or Kubernetes volume) that every worker mounts at SITE_DIR. Writes go through a hidden temporary file renamed
 * over the old one (atomic on one file system); publishers take turns on a lock directory (mkdir is atomic, NFS too).
 */
export class SharedDirectoryPages implements SitePages {
  readonly location: string;

  constructor(readonly dir: string) {
    this.location = dir;
    fs.mkdirSync(dir, { recursive: true });
  }

  private file(name: string): string {
    return path.join(this.dir, ...name.split('/'));
  }

  async read(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.file(name), 'utf8');
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async write(name: string, content: string): Promise<void> {
    const file = this.file(name);
    await mkdir(path.dirname(file), { recursive: true });
    // Unique across hosts sharing the directory (their pids may coincide); hidden, so never served or listed.
    const partial = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.partial`);
    try {
      await writeFile(partial, content, 'utf8');
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async remove(name: string): Promise<boolean> {
    try {
      await unlink(this.file(name));
      return true;
    } catch (err) {
      if (code(err) === 'ENOENT') return false;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.file(prefix || '.'), { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => `${prefix}${e.name}`)
        .sort();
    } catch (err) {
      if (code(err) === 'ENOENT') return [];
      throw err;
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const lock = this.file(LOCK);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await mkdir(lock);
        break;
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      // A publisher that died holding the lock: take it over (rmdir fails harmlessly if another host just did).
      if (age > STALE_LOCK_MS) await rmdir(lock).catch(() => undefined);
      else if (Date.now() > deadline)
        throw new TransientError(`another publisher has held the site's lock (${lock}) for ${Math.round(age / 1000)} s`);
      else await sleep(20 + Math.random() * 30);
    }
    try {
      return await work();
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
}
