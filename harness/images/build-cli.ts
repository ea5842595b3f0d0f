/**
 * Builds the mailha images from their recipes.
 *
 * Usage: tsx harness/images/build-cli.ts [--builder auto|debootstrap|dockerfile] [--force] [NAME...]
 * Prints progress lines, then one `NAME TAG` line per image.
 */
import { parseArgs } from 'node:util';
import { ensureImages, type Builder } from './ensure.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    builder: { type: 'string', default: 'auto' },
    force: { type: 'boolean', default: false },
  },
});

const builder = values.builder as Builder;
if (!['auto', 'debootstrap', 'dockerfile'].includes(builder)) {
  console.error(`Invalid --builder "${values.builder}": expected auto, debootstrap or dockerfile`);
  process.exit(2);
}

try {
  const tags = await ensureImages({
    names: positionals.length > 0 ? positionals : undefined,
    builder,
    force: values.force,
    onProgress: (line) => console.error(line),
  });
  for (const [name, tag] of Object.entries(tags)) console.log(`${name} ${tag}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
