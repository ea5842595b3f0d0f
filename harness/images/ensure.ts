import path from 'node:path';
import { cacheDir, withLock } from './cache.js';
import { buildWithDebootstrap, type ProgressCallback } from './debootstrap.js';
import { buildWithDockerfile } from './dockerfile.js';
import { succeeds } from './exec.js';
import { IMAGES_DIR, imageTag, listRecipeNames, loadRecipe, recipeHash, type Recipe } from './recipe.js';

/** Image builder: debootstrap (needs no registry), docker build, or 'auto' for debootstrap when it is installed. */
export type Builder = 'debootstrap' | 'dockerfile' | 'auto';

interface PendingImage {
  recipe: Recipe;
  hash: string;
  tag: string;
}

/** Options of {@link ensureImages}. */
export interface EnsureImagesOptions {
  /** Images to ensure; all recipes under images/ by default. */
  names?: string[];
  builder: Builder;
  /** Rebuild even when an image with the tag exists. */
  force?: boolean;
  onProgress?: ProgressCallback;
  /** Folder with the recipes; the repository's images/ by default. */
  imagesDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Computes the tag of an image from its recipe without building it:
 * `mailha/<name>:<12 hex digits of the recipe hash>`.
 */
export async function imageTagFor(name: string, imagesDir: string = IMAGES_DIR): Promise<string> {
  const recipe = await loadRecipe(name, imagesDir);
  return imageTag(name, recipeHash(recipe));
}

/**
 * Makes sure that an image exists for each recipe's current hash, building
 * the missing ones, and returns the tag of each image by name. An image
 * counts as present when `docker image inspect TAG` succeeds; since the tag
 * contains the recipe hash, a changed recipe yields a new tag and a build.
 * Builds hold a lock file in the cache directory, so concurrent callers wait
 * for each other instead of building the same image twice.
 */
export async function ensureImages(options: EnsureImagesOptions): Promise<Record<string, string>> {
  const imagesDir = options.imagesDir ?? IMAGES_DIR;
  const progress = options.onProgress ?? (() => {});
  const names = options.names ?? (await listRecipeNames(imagesDir));
  const tags: Record<string, string> = {};

  const recipes = await Promise.all(names.map((name) => loadRecipe(name, imagesDir)));
  const pending: PendingImage[] = [];
  for (const recipe of recipes) {
    const hash = recipeHash(recipe);
    const tag = imageTag(recipe.name, hash);
    tags[recipe.name] = tag;
    pending.push({ recipe, hash, tag });
  }

  const isPresent = (tag: string): Promise<boolean> => succeeds('docker', ['image', 'inspect', tag]);
  const missing: PendingImage[] = [];
  for (const item of pending) {
    if (options.force || !(await isPresent(item.tag))) missing.push(item);
  }
  if (missing.length === 0) return tags;

  const builder = await resolveBuilder(options.builder);
  const lockPath = path.join(cacheDir(options.env), 'build.lock');
  await withLock(
    lockPath,
    async () => {
      for (const { recipe, hash, tag } of missing) {
        // Another process may have built it while this one waited for the lock.
        if (!options.force && (await isPresent(tag))) continue;
        if (builder === 'debootstrap') {
          await buildWithDebootstrap(recipe, tag, hash, { onProgress: progress, env: options.env });
        } else {
          await buildWithDockerfile(recipe, tag, hash, progress);
        }
      }
    },
    { onWait: (holder) => progress(`Waiting for image build lock ${lockPath} (held by pid ${holder})`) },
  );
  return tags;
}

/** Resolves 'auto' to debootstrap when it is installed, else dockerfile. */
export async function resolveBuilder(builder: Builder): Promise<'debootstrap' | 'dockerfile'> {
  if (builder !== 'auto') return builder;
  return (await succeeds('sh', ['-c', 'command -v debootstrap || test -x /usr/sbin/debootstrap'])) ? 'debootstrap' : 'dockerfile';
}
