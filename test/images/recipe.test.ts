import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMAGES_DIR, imageTag, loadRecipe, RecipeError, recipeHash } from '../../harness/images/recipe.js';

let tempDir: string;

beforeEach(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'mailha-recipe-'));
  await cp(path.join(IMAGES_DIR, 'courier'), path.join(tempDir, 'courier'), { recursive: true });
});

afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const hashOf = async (): Promise<string> => recipeHash(await loadRecipe('courier', tempDir));
const recipeFile = (): string => path.join(tempDir, 'courier', 'recipe.yaml');
const startScript = (): string => path.join(tempDir, 'courier', 'rootfs/usr/local/sbin/mailha-courier-start');

describe('recipeHash', () => {
  it('is stable across loads', async () => {
    expect(await hashOf()).toBe(await hashOf());
  });

  it('matches the repository copy', async () => {
    expect(await hashOf()).toBe(recipeHash(await loadRecipe('courier')));
  });

  it('changes when an overlay file changes', async () => {
    const before = await hashOf();
    await writeFile(startScript(), '#!/bin/sh\nexit 0\n');
    expect(await hashOf()).not.toBe(before);
  });

  it('changes when an overlay file is added', async () => {
    const before = await hashOf();
    await writeFile(path.join(tempDir, 'courier', 'rootfs/usr/local/sbin/extra'), 'x\n');
    expect(await hashOf()).not.toBe(before);
  });

  it('changes when the execute bit changes', async () => {
    const before = await hashOf();
    await chmod(startScript(), 0o644);
    expect(await hashOf()).not.toBe(before);
  });

  it('ignores mode bits git does not keep', async () => {
    const before = await hashOf();
    await chmod(startScript(), 0o775);
    expect(await hashOf()).toBe(before);
  });

  it('changes when a package is added', async () => {
    const before = await hashOf();
    const text = await readFile(recipeFile(), 'utf8');
    await writeFile(recipeFile(), text.replace('packages:\n', 'packages:\n  - less\n'));
    const recipe = await loadRecipe('courier', tempDir);
    expect(recipe.packages).toContain('less');
    expect(recipeHash(recipe)).not.toBe(before);
  });
});

describe('imageTag', () => {
  it('uses the first 12 hex digits', () => {
    expect(imageTag('courier', 'abcdef0123456789ffff')).toBe('mailha/courier:abcdef012345');
  });
});

describe('loadRecipe validation', () => {
  const expectRecipeError = async (yaml: string, expected: string): Promise<void> => {
    await writeFile(recipeFile(), yaml);
    const error = await loadRecipe('courier', tempDir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecipeError);
    expect((error as Error).message).toContain(expected);
  };
  // The temp copy lies outside the working directory, so errors show its absolute path.
  const shownFile = (): string => recipeFile();

  it('names file and index of a bad package', async () => {
    await expectRecipeError('description: x\npackages: [a1, b2, 3]\nentrypoint: [/bin/true]\n', `${shownFile()}: packages[2]:`);
  });

  it('names a missing field', async () => {
    await expectRecipeError('description: x\npackages: [rsync]\n', `${shownFile()}: entrypoint:`);
  });

  it('names an env entry with a bad value', async () => {
    await expectRecipeError('description: x\npackages: [rsync]\nentrypoint: [/bin/true]\nenv: {MAILHA_ROLE: 1}\n', `${shownFile()}: env.MAILHA_ROLE:`);
  });

  it('rejects an unknown field', async () => {
    await expectRecipeError('description: x\npackages: [rsync]\nentrypoint: [/bin/true]\npackage: [x]\n', shownFile());
  });

  it('reports invalid YAML with the file name', async () => {
    await expectRecipeError('packages: [unclosed\n', `${shownFile()}: invalid YAML`);
  });

  it('reports a missing recipe file', async () => {
    await rm(recipeFile());
    const error = await loadRecipe('courier', tempDir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecipeError);
    expect((error as Error).message).toContain('cannot read the recipe');
  });
});
