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

/** Splits instructions into build stages, each starting with its FROM. */
function splitStages(instructions: { instruction: string; argument: string }[]): { instruction: string; argument: string }[][] {
  const stages: { instruction: string; argument: string }[][] = [];
  for (const step of instructions) {
    if (step.instruction === 'FROM' || stages.length === 0) stages.push([]);
    stages.at(-1)!.push(step);
  }
  return stages;
}

/** Packages of the stage's `apt-get install -y --no-install-recommends` RUN, sorted. */
function installedPackages(stage: { instruction: string; argument: string }[]): string[] | undefined {
  const install = stage.find((step) => step.instruction === 'RUN' && step.argument.includes('apt-get install'));
  const match = install && /apt-get install -y --no-install-recommends ([^&]+)/.exec(install.argument);
  return match?.[1]!.trim().split(/\s+/).sort();
}

const names = await listRecipeNames();

describe('Dockerfile matches recipe', () => {
  it('finds both images', () => {
    expect(names).toEqual(expect.arrayContaining(['bind', 'courier']));
  });

  describe.each(names)('%s', (name) => {
    // The image is the last stage; a recipe with a guest builds it in a stage named `guest` first.
    const load = async () => {
      const recipe = await loadRecipe(name);
      const stages = splitStages(parseDockerfile(await readFile(path.join(IMAGES_DIR, name, 'Dockerfile'), 'utf8')));
      return { recipe, instructions: stages.at(-1)!, stages };
    };

    it('has a guest stage only for a guest recipe', async () => {
      const { recipe, stages } = await load();
      const guestStages = stages.filter((stage) => stage[0]!.argument === 'debian:bookworm AS guest');
      expect(guestStages).toHaveLength(recipe.guest ? 1 : 0);
      expect(stages).toHaveLength(recipe.guest ? 2 : 1);
    });

    it('builds the guest stage from the recipe', async () => {
      const { recipe, stages } = await load();
      if (!recipe.guest) return;
      const guest = stages[0]!;
      expect(installedPackages(guest)).toEqual([...recipe.guest.packages].sort());
      const commands = guest.filter((step) => step.instruction === 'RUN' && !step.argument.includes('apt-get')).map((step) => step.argument);
      expect(commands).toEqual(recipe.guest.run.map((command) => command.replace(/\s+/g, ' ')));
    });

    it('starts from debian:bookworm', async () => {
      const { instructions } = await load();
      expect(instructions[0]).toEqual({ instruction: 'FROM', argument: 'debian:bookworm' });
    });

    it('installs exactly the recipe packages', async () => {
      const { recipe, instructions } = await load();
      expect(installedPackages(instructions), 'a RUN with apt-get install -y --no-install-recommends PACKAGES').toEqual([...recipe.packages].sort());
    });

    it('runs the recipe commands in order', async () => {
      const { recipe, instructions } = await load();
      const commands = instructions.filter((step) => step.instruction === 'RUN' && !step.argument.includes('apt-get')).map((step) => step.argument);
      // A guest recipe's last RUN writes the guest image, the step the builder adds after `run`.
      const imageCommands = recipe.guest ? commands.slice(0, -1) : commands;
      expect(imageCommands).toEqual(recipe.run.map((command) => command.replace(/\s+/g, ' ')));
      if (recipe.guest) expect(commands.at(-1)).toContain(`mkfs.ext4 -q -F -L guest-root -d /tmp/guest /opt/uml/root.img`);
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
