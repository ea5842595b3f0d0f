import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES_DIR, listRecipeNames, loadRecipe } from '../../harness/images/recipe.js';

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): { instruction: string; argument: string }[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [instruction = '', ...rest] = line.split(/\s+/);
      return { instruction: instruction.toUpperCase(), argument: rest.join(' ') };
    });
}

const names = await listRecipeNames();

describe('Dockerfile matches recipe', () => {
  it('finds both images', () => {
    expect(names).toEqual(expect.arrayContaining(['bind', 'courier']));
  });

  describe.each(names)('%s', (name) => {
    const load = async () => {
      const recipe = await loadRecipe(name);
      const instructions = parseDockerfile(await readFile(path.join(IMAGES_DIR, name, 'Dockerfile'), 'utf8'));
      return { recipe, instructions };
    };

    it('starts from debian:bookworm', async () => {
      const { instructions } = await load();
      expect(instructions[0]).toEqual({ instruction: 'FROM', argument: 'debian:bookworm' });
    });

    it('installs exactly the recipe packages', async () => {
      const { recipe, instructions } = await load();
      const install = instructions.find((step) => step.instruction === 'RUN' && step.argument.includes('apt-get install'));
      expect(install, 'a RUN with apt-get install').toBeDefined();
      const match = /apt-get install -y --no-install-recommends ([^&]+)/.exec(install!.argument);
      expect(match, 'apt-get install -y --no-install-recommends PACKAGES').not.toBeNull();
      expect(match![1]!.trim().split(/\s+/).sort()).toEqual([...recipe.packages].sort());
    });

    it('runs the recipe commands in order', async () => {
      const { recipe, instructions } = await load();
      const commands = instructions.filter((step) => step.instruction === 'RUN' && !step.argument.includes('apt-get')).map((step) => step.argument);
      expect(commands).toEqual(recipe.run.map((command) => command.replace(/\s+/g, ' ')));
    });

    it('has the recipe entrypoint', async () => {
      const { recipe, instructions } = await load();
      const entrypoints = instructions.filter((step) => step.instruction === 'ENTRYPOINT');
      expect(entrypoints).toHaveLength(1);
      expect(JSON.parse(entrypoints[0]!.argument)).toEqual(recipe.entrypoint);
    });

    it('has the recipe env', async () => {
      const { recipe, instructions } = await load();
      const env: Record<string, string> = {};
      for (const step of instructions.filter((candidate) => candidate.instruction === 'ENV')) {
        const [key, ...value] = step.argument.split('=');
        env[key!] = value.join('=').replace(/^"(.*)"$/, '$1');
      }
      expect(env).toEqual(recipe.env);
    });

    it('copies the rootfs overlay', async () => {
      const { instructions } = await load();
      expect(instructions).toContainEqual({ instruction: 'COPY', argument: 'rootfs/ /' });
    });
  });
});
