/** Checks that Docker responds and builds missing images before any bed test starts a container. */
import { execa } from 'execa';
import { ensureImages } from '../../harness/images/index.js';

export default async function setup(): Promise<void> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const info = await execa('docker', ['info'], { reject: false });
  if (info.exitCode !== 0) {
    throw new Error(`docker info failed (exit code ${info.exitCode}): ${info.stderr.trim().split('\n').at(-1)}. Start Docker with: bash harness/host/ensure-docker.sh`);
  }
  await ensureImages({ names: ['courier', 'bind'], builder: 'auto', onProgress: (line) => console.log(line) });
}
