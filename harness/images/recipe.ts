import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Debian suite that every image is built from. */
export const DEBIAN_SUITE = 'bookworm';

/**
 * Version of the build procedure. Bump it when a builder changes what it puts
 * into an image, so that every cached image tag changes with it.
 */
export const BUILDER_VERSION = '1';

/** Folder with one sub-folder per image: `images/<name>/`. */
export const IMAGES_DIR = fileURLToPath(new URL('../../images/', import.meta.url));

const packageListSchema = z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'expected a Debian package name')).min(1);
const relativePathSchema = z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, 'expected a relative path without ..');

/**
 * Root file system of a virtual machine that the image carries as an ext4 image file, such as
 * a User-Mode Linux guest. It is built from the same Debian suite as the image itself.
 */
const guestSchema = z.strictObject({
  packages: packageListSchema,
  /** Shell commands run as root in the guest tree after its packages are installed. */
  run: z.array(z.string().min(1)).default([]),
  /**
   * Folder of the image (relative to its root) with one kernel-version folder of modules each,
   * such as Debian's `usr/lib/uml/modules`. Each is copied to the guest's `/lib/modules/` and
   * indexed with depmod.
   */
  modulesFrom: relativePathSchema.optional(),
  /** Path of the ext4 image file inside the image, relative to its root. */
  output: relativePathSchema,
  /** Free space left in the guest file system, in MiB. */
  freeMiB: z.number().int().positive().default(128),
});

const recipeSchema = z.strictObject({
  description: z.string().min(1),
  packages: packageListSchema,
  /** Shell commands run as root in the image after the packages are installed. */
  run: z.array(z.string().min(1)).default([]),
  /** A TypeScript entry point bundled by esbuild into one file of the overlay before hashing. */
  bundle: z
    .strictObject({
      entry: z.string().regex(/^harness\/[\w./-]+\.ts$/, 'expected a harness/ TypeScript file'),
      output: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, 'expected a path relative to rootfs/'),
    })
    .optional(),
  guest: guestSchema.optional(),
  entrypoint: z.array(z.string().min(1)).min(1),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string()).default({}),
});

/** Contents of an image's `recipe.yaml`, the single source of truth for both builders. */
export type RecipeSpec = z.infer<typeof recipeSchema>;

/** Guest root file system of a recipe (its `guest:` field). */
export type GuestSpec = z.infer<typeof guestSchema>;

/** File from a recipe's `rootfs/` overlay. */
export interface OverlayFile {
  /** Path relative to `rootfs/`, with `/` separators. */
  relativePath: string;
  /**
   * 0o755 when any execute bit is set, else 0o644. Git keeps only the execute
   * bit, so a finer mode would give a different hash under another umask.
   */
  mode: number;
  /** File contents, or the link target for a symbolic link. */
  content: Buffer;
  isSymlink: boolean;
}

/** Recipe of one image, loaded and validated. */
export interface Recipe extends RecipeSpec {
  name: string;
  /** Absolute path of `images/<name>/`. */
  dir: string;
  /** Raw bytes of recipe.yaml, which the hash covers. */
  recipeFile: Buffer;
  /** Overlay files sorted by relative path. */
  overlay: OverlayFile[];
}

/** Error in a recipe file, naming the file and the field path. */
export class RecipeError extends Error {
  override name = 'RecipeError';
}

/**
 * Loads and validates `<imagesDir>/<name>/recipe.yaml` and reads its
 * `rootfs/` overlay.
 *
 * @throws RecipeError when the file is missing, is not YAML, or a field is
 *   invalid. The message reads e.g.
 *   `images/courier/recipe.yaml: packages[2]: expected a string`.
 */
export async function loadRecipe(name: string, imagesDir: string = IMAGES_DIR): Promise<Recipe> {
  const dir = path.resolve(imagesDir, name);
  const file = path.join(dir, 'recipe.yaml');
  const shownFile = displayPath(file);

  let recipeFile: Buffer;
  try {
    recipeFile = await readFile(file);
  } catch (error) {
    throw new RecipeError(`${shownFile}: cannot read the recipe: ${(error as Error).message}`, { cause: error });
  }

  let data: unknown;
  try {
    data = parseYaml(recipeFile.toString('utf8'));
  } catch (error) {
    throw new RecipeError(`${shownFile}: invalid YAML: ${(error as Error).message}`, { cause: error });
  }

  const result = recipeSchema.safeParse(data ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${shownFile}: ${formatFieldPath(issue.path)}: ${issue.message}`);
    throw new RecipeError(issues.join('\n'), { cause: result.error });
  }

  if (result.data.bundle) await writeBundle(result.data.bundle, path.join(dir, 'rootfs'));
  const overlay = await readOverlay(path.join(dir, 'rootfs'));
  return { ...result.data, name, dir, recipeFile, overlay };
}

/**
 * Bundles a recipe's TypeScript entry point and its npm dependencies into one ES module under
 * the overlay, so an image needs only Debian's Node.js (18 in bookworm) and no node_modules.
 * esbuild's output is deterministic, so the recipe hash changes only when the sources do.
 */
async function writeBundle(bundle: { entry: string; output: string }, rootfs: string): Promise<void> {
  const { build } = await import('esbuild');
  const repository = path.resolve(IMAGES_DIR, '..');
  const outfile = path.join(rootfs, bundle.output);
  await mkdir(path.dirname(outfile), { recursive: true });
  await build({
    entryPoints: [path.join(repository, bundle.entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    outfile,
    logLevel: 'error',
    // Bundled CommonJS dependencies (pino) call require(); ES modules need it created.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
}

/**
 * Computes the sha256 (hex) that identifies an image build: the builder
 * version, the Debian suite, the bytes of recipe.yaml and every overlay file
 * (relative path, mode, content) in sorted order. A change to any of them
 * gives a new hash and so a new image tag.
 */
export function recipeHash(recipe: Recipe): string {
  const hash = createHash('sha256');
  const field = (value: string | Buffer): void => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    // A length prefix keeps two different field splits from hashing alike.
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field(`mailha-image-builder ${BUILDER_VERSION}`);
  field(DEBIAN_SUITE);
  field(recipe.recipeFile);
  for (const file of recipe.overlay) {
    field(file.relativePath);
    field(`${file.isSymlink ? 'symlink' : 'file'} ${file.mode.toString(8)}`);
    field(file.content);
  }
  return hash.digest('hex');
}

/** Returns the image tag for a recipe hash: `mailha/<name>:<first 12 hex digits>`. */
export function imageTag(name: string, hash: string): string {
  return `mailha/${name}:${hash.slice(0, 12)}`;
}

/** Lists the image folders under `imagesDir` that contain a recipe.yaml. */
export async function listRecipeNames(imagesDir: string = IMAGES_DIR): Promise<string[]> {
  const entries = await readdir(imagesDir, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const hasRecipe = await lstat(path.join(imagesDir, entry.name, 'recipe.yaml')).then(
      () => true,
      () => false,
    );
    if (hasRecipe) names.push(entry.name);
  }
  return names.sort();
}

async function readOverlay(rootfsDir: string): Promise<OverlayFile[]> {
  const files: OverlayFile[] = [];
  const exists = await lstat(rootfsDir).then(
    () => true,
    () => false,
  );
  if (!exists) return files;

  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(path.join(rootfsDir, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relativePath = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const absolutePath = path.join(rootfsDir, relativePath);
      if (entry.isDirectory()) {
        await walk(relativePath);
      } else if (entry.isSymbolicLink()) {
        files.push({ relativePath, mode: 0o777, content: Buffer.from(await readlink(absolutePath)), isSymlink: true });
      } else if (entry.isFile()) {
        const stats = await lstat(absolutePath);
        const mode = (stats.mode & 0o111) !== 0 ? 0o755 : 0o644;
        files.push({ relativePath, mode, content: await readFile(absolutePath), isSymlink: false });
      }
    }
  };
  await walk('');
  // Code-unit order, not localeCompare, so the hash is the same under every locale.
  return files.sort((a, b) => {
    if (a.relativePath === b.relativePath) return 0;
    return a.relativePath < b.relativePath ? -1 : 1;
  });
}

/** Formats a zod issue path as `packages[2]` or `env.MAILHA_ROLE`. */
function formatFieldPath(fieldPath: readonly PropertyKey[]): string {
  if (fieldPath.length === 0) return '(top level)';
  let text = '';
  for (const key of fieldPath) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** Shows a path relative to the working directory when it lies below it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
