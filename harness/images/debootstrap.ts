import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from './cache.js';
import { buildGuestImage } from './guest.js';
import { run } from './exec.js';
import { resolveDebianMirror } from './mirror.js';
import { BUILDER_VERSION, DEBIAN_SUITE, type Recipe } from './recipe.js';

/** Receives one progress line at a time. */
export type ProgressCallback = (line: string) => void;

/** Options of {@link buildWithDebootstrap}. */
export interface DebootstrapBuildOptions {
  onProgress?: ProgressCallback;
  /** Defaults to {@link cacheDir}(). */
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Docker label that stores the full recipe hash on an image. */
export const RECIPE_HASH_LABEL = 'mailha.recipe-hash';

/**
 * Builds `tag` from `recipe` without a container registry: debootstrap
 * creates a minbase rootfs (cached as a tarball), apt-get installs the
 * recipe's packages in a chroot, the recipe's `run` commands and overlay
 * follow, and `docker import` turns the tree into an image with the recipe's
 * ENTRYPOINT, ENV and a {@link RECIPE_HASH_LABEL} label. Needs root.
 *
 * The build directory lies under the cache directory and is removed
 * afterwards, also on failure.
 *
 * @throws CommandError when a step fails, naming the command, its exit code
 *   and the tail of its stderr.
 */
export async function buildWithDebootstrap(recipe: Recipe, tag: string, hash: string, options: DebootstrapBuildOptions = {}): Promise<void> {
  const progress = options.onProgress ?? (() => {});
  if (process.getuid?.() !== 0) {
    throw new Error(`Building image ${tag} with debootstrap needs root (chroot, device nodes); run as root or use the dockerfile builder.`);
  }
  const cache = options.cacheDir ?? cacheDir(options.env);
  const mirror = await resolveDebianMirror(options.env);
  const started = Date.now();
  progress(`Building image ${tag} (debootstrap)`);

  const baseTarball = await ensureBaseTarball(cache, mirror, progress);
  await mkdir(path.join(cache, 'build'), { recursive: true });
  const buildDir = await mkdtemp(path.join(cache, 'build', `${recipe.name}-`));
  try {
    const root = path.join(buildDir, 'rootfs');
    await mkdir(root);
    await run('Unpacking the base rootfs', 'tar', ['-xpf', baseTarball, '--numeric-owner', '-C', root]);

    await installPackages(root, recipe.packages, `image ${recipe.name}`, progress);
    for (const command of recipe.run) {
      await run(`Running "${command}" in image ${tag}`, 'chroot', [root, '/bin/sh', '-c', command]);
    }
    await applyOverlay(root, recipe);
    if (recipe.guest) {
      await buildGuestImage(recipe.guest, { imageRoot: root, baseTarball, workDir: buildDir, tag, progress });
    }

    const imageTarball = path.join(buildDir, 'image.tar');
    await run('Packing the image rootfs', 'tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', imageTarball, '.']);
    progress(`Importing image ${tag}`);
    await run(`Importing image ${tag}`, 'docker', ['import', ...importChanges(recipe, hash), imageTarball, tag]);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  progress(`Built image ${tag} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Returns the `--change` arguments of `docker import` for a recipe. */
export function importChanges(recipe: Recipe, hash: string): string[] {
  const changes = [`ENTRYPOINT ${JSON.stringify(recipe.entrypoint)}`];
  for (const [key, value] of Object.entries(recipe.env)) changes.push(`ENV ${key}=${JSON.stringify(value)}`);
  // Docker 20.10.24 accepts LABEL here; older engines may not.
  changes.push(`LABEL ${RECIPE_HASH_LABEL}=${hash}`);
  return changes.flatMap((change) => ['--change', change]);
}

/**
 * Returns the path of the cached minbase tarball, running debootstrap when
 * it is missing. The tarball is named by the hash of what determines it, so
 * a builder change never reuses a stale one. The mirror is left out because
 * every mirror serves the same archive.
 */
async function ensureBaseTarball(cache: string, mirror: string, progress: ProgressCallback): Promise<string> {
  const key = createHash('sha256').update(`mailha-minbase ${BUILDER_VERSION} ${DEBIAN_SUITE} minbase`).digest('hex').slice(0, 12);
  const tarball = path.join(cache, 'rootfs', `${DEBIAN_SUITE}-minbase-${key}.tar`);
  if (await fileExists(tarball)) return tarball;

  progress(`Creating ${DEBIAN_SUITE} minbase rootfs with debootstrap`);
  await mkdir(path.join(cache, 'rootfs'), { recursive: true });
  await mkdir(path.join(cache, 'build'), { recursive: true });
  const buildDir = await mkdtemp(path.join(cache, 'build', 'minbase-'));
  try {
    const root = path.join(buildDir, 'rootfs');
    await run('debootstrap', 'debootstrap', ['--variant=minbase', DEBIAN_SUITE, root, mirror]);
    await run('Cleaning the apt cache of the base rootfs', 'chroot', [root, 'apt-get', 'clean']);
    const partial = `${tarball}.partial`;
    await run('Packing the base rootfs', 'tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', partial, '.']);
    // The rename makes a finished tarball appear atomically.
    await rename(partial, tarball);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  return tarball;
}

/**
 * Installs Debian packages into the tree at `root` with apt-get in a chroot, keeping package
 * scripts from starting daemons. `label` names the tree in progress lines and errors.
 */
export async function installPackages(root: string, packages: readonly string[], label: string, progress: ProgressCallback): Promise<void> {
  const policyFile = path.join(root, 'usr/sbin/policy-rc.d');
  const resolvConf = path.join(root, 'etc/resolv.conf');
  // policy-rc.d exit 101 stops package scripts from starting daemons in the
  // chroot, and the host's resolv.conf lets apt resolve the mirror.
  await writeFile(policyFile, '#!/bin/sh\nexit 101\n');
  await chmod(policyFile, 0o755);
  await rm(resolvConf, { force: true });
  await copyFile('/etc/resolv.conf', resolvConf);
  try {
    progress(`Installing ${packages.length} packages for ${label}`);
    const env = { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
    await run('apt-get update in the image rootfs', 'chroot', [root, 'apt-get', 'update'], { env });
    await run(`apt-get install of ${packages.join(' ')} for ${label}`, 'chroot', [root, 'apt-get', 'install', '-y', '--no-install-recommends', ...packages], { env });
    await run('apt-get clean in the image rootfs', 'chroot', [root, 'apt-get', 'clean']);
  } finally {
    await rm(policyFile, { force: true });
    await rm(resolvConf, { force: true });
    await rm(path.join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    await mkdir(path.join(root, 'var/lib/apt/lists/partial'), { recursive: true });
  }
  // Docker mounts its own resolv.conf over this empty file at run time.
  await writeFile(resolvConf, '');
}

async function applyOverlay(root: string, recipe: Recipe): Promise<void> {
  for (const file of recipe.overlay) {
    const target = path.join(root, file.relativePath);
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { force: true });
    if (file.isSymlink) {
      await symlink(file.content.toString('utf8'), target);
    } else {
      await writeFile(target, file.content);
      await chmod(target, file.mode);
    }
  }
}

async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
}
