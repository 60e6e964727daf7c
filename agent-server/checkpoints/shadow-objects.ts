import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

/**
 * Commits and refs of the shadow repository written straight into its files, in git's documented
 * loose formats (a zlib-deflated object under objects/xx/, a ref file holding the id). Each
 * checkpoint needs one commit and one ref; writing them here instead of running `git commit-tree`
 * and `git update-ref` saves two git processes per checkpoint and four per restore, which is most
 * of their cost. Only the repository Cairn created is written this way: SHA-1 objects and the
 * "files" ref storage, which `ShadowGit.ensureInitialised` asks for and checks.
 *
 * Every write is a temp file renamed (or linked) into place, so a crash leaves the old state or the
 * new, never a torn object or ref. Callers hold the store's lock: no other Cairn process writes
 * the repository meanwhile, and Cairn runs no git command that writes these refs concurrently.
 */

const deflateAsync = promisify(deflate);

/** The same identity `git commit-tree` would record with Cairn's environment. */
const IDENT = 'Cairn <checkpoints@cairn.invalid>';

export class RefExistsError extends Error {
  override name = 'RefExistsError';
}

/** Writes a parentless commit of `tree` with `message`; returns its id. */
export async function writeCommit(
  gitDir: string,
  tree: string,
  message: string,
  when: Date,
): Promise<string> {
  if (!/^[0-9a-f]{40}$/.test(tree)) throw new Error(`not a SHA-1 tree id: ${tree}`);
  const seconds = Math.floor(when.getTime() / 1000);
  const body = Buffer.from(
    `tree ${tree}\nauthor ${IDENT} ${seconds} +0000\ncommitter ${IDENT} ${seconds} +0000\n\n${message}\n`,
    'utf8',
  );
  const raw = Buffer.concat([Buffer.from(`commit ${body.length}\0`), body]);
  const id = createHash('sha1').update(raw).digest('hex');
  const dir = path.join(gitDir, 'objects', id.slice(0, 2));
  const file = path.join(dir, id.slice(2));
  if (await stat(file).catch(() => undefined)) return id; // same tree, message and second: already there
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `tmp_obj_cairn_${process.pid}_${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, await deflateAsync(raw, { level: 1 }), { mode: 0o444 });
  await rename(tmp, file);
  return id;
}

/**
 * Points `ref` (e.g. refs/cairn/before/ID) at `id`. With `create`, fails with RefExistsError when
 * the ref exists already (loose or packed by gc), as `git update-ref REF ID ''` would.
 */
export async function writeRef(
  gitDir: string,
  ref: string,
  id: string,
  opts: { create?: boolean } = {},
): Promise<void> {
  if (!/^refs\/cairn\/[a-z]+\/[0-9a-z-]+$/.test(ref)) throw new Error(`not a checkpoint ref: ${ref}`);
  const file = path.join(gitDir, ref);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`,
  );
  await writeFile(tmp, `${id}\n`);
  try {
    if (opts.create) {
      if (await isPacked(gitDir, ref)) throw new RefExistsError(`${ref} exists already`);
      // link, unlike rename, never replaces an existing ref.
      await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? new RefExistsError(`${ref} exists already`) : err;
      });
    } else await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function isPacked(gitDir: string, ref: string): Promise<boolean> {
  const packed = await readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  return packed.split('\n').some((line) => line.endsWith(` ${ref}`));
}
