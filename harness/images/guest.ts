/** Builds the ext4 root file system image of a virtual-machine guest that an image carries. */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProgressCallback } from './debootstrap.js';
import { installPackages } from './debootstrap.js';
import { run } from './exec.js';
import type { GuestSpec } from './recipe.js';

/** Inputs and output location of a guest build. */
export interface GuestBuildContext {
  /** Root of the image tree being built; the guest image is written into it. */
  imageRoot: string;
  /** Cached minbase tarball the guest tree starts from, the same as the image's. */
  baseTarball: string;
  /** Scratch folder that the caller removes afterwards. */
  workDir: string;
  /** Tag of the image being built, for messages. */
  tag: string;
  progress: ProgressCallback;
}

/**
 * Builds the guest tree from the minbase tarball with the guest packages and commands. Kernel
 * modules from the image tree are copied in and indexed with depmod. The tree is then written
 * to `output` in the image as an ext4 image of its used size plus `freeMiB`.
 * Needs root and the host's `mkfs.ext4` (e2fsprogs 1.43 or later, for `-d`).
 *
 * @throws CommandError naming the step that failed.
 */
export async function buildGuestImage(guest: GuestSpec, context: GuestBuildContext): Promise<void> {
  const { imageRoot, tag, progress } = context;
  const label = `the guest of image ${tag}`;
  const guestRoot = path.join(context.workDir, 'guest');
  await mkdir(guestRoot);
  progress(`Building ${label}`);
  await run(`Unpacking the base rootfs for ${label}`, 'tar', ['-xpf', context.baseTarball, '--numeric-owner', '-C', guestRoot]);

  await installPackages(guestRoot, guest.packages, label, progress);
  for (const command of guest.run) {
    await run(`Running "${command}" in ${label}`, 'chroot', [guestRoot, '/bin/sh', '-c', command]);
  }
  if (guest.modulesFrom) await copyModules(path.join(imageRoot, guest.modulesFrom), guestRoot, label);

  const output = path.join(imageRoot, guest.output);
  await mkdir(path.dirname(output), { recursive: true });
  const usedMiB = Number((await run(`Measuring ${label}`, 'du', ['-sm', '--apparent-size', guestRoot])).split(/\s+/)[0]);
  // ext4 needs room for its inode tables and journal on top of the files: a quarter more.
  const sizeMiB = Math.ceil(usedMiB * 1.25) + guest.freeMiB;
  progress(`Writing ${label} as a ${sizeMiB} MiB ext4 image`);
  await run(`Writing ${label} with mkfs.ext4`, 'mkfs.ext4', ['-q', '-F', '-L', 'guest-root', '-d', guestRoot, output, `${sizeMiB}M`]);
  await rm(guestRoot, { recursive: true, force: true });
}

async function copyModules(modulesDir: string, guestRoot: string, label: string): Promise<void> {
  const versions = (await readdir(modulesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  if (versions.length === 0) throw new Error(`No kernel module folders in ${modulesDir} to copy into ${label}`);
  await mkdir(path.join(guestRoot, 'lib/modules'), { recursive: true });
  for (const version of versions) {
    await run(`Copying kernel modules ${version} into ${label}`, 'cp', ['-a', path.join(modulesDir, version), path.join(guestRoot, 'lib/modules', version)]);
    await run(`depmod ${version} in ${label}`, 'chroot', [guestRoot, 'depmod', version]);
  }
}
