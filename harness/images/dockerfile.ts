import { run } from './exec.js';
import type { ProgressCallback } from './debootstrap.js';
import { RECIPE_HASH_LABEL } from './debootstrap.js';
import type { Recipe } from './recipe.js';

/**
 * Builds `tag` with `docker build` from `images/<name>/Dockerfile`. Needs a
 * registry that serves `debian:bookworm`; the Dockerfile mirrors the recipe
 * (test/images checks that the two agree).
 *
 * @throws CommandError naming `docker build`, its exit code and the tail of
 *   its output.
 */
export async function buildWithDockerfile(recipe: Recipe, tag: string, hash: string, onProgress: ProgressCallback = () => {}): Promise<void> {
  const started = Date.now();
  onProgress(`Building image ${tag} (dockerfile)`);
  await run(`Building image ${tag} with docker build`, 'docker', ['build', '--label', `${RECIPE_HASH_LABEL}=${hash}`, '-t', tag, recipe.dir], {
    // docker build writes its progress to stderr, which the error then shows.
    all: true,
  });
  onProgress(`Built image ${tag} in ${Math.round((Date.now() - started) / 1000)} s`);
}
