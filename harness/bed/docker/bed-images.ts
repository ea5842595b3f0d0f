/** The images a container bed runs, built when missing; Shopify's Toxiproxy wins when the host has it. */
import { ensureImages } from '../../images/index.js';
import type { DockerBedOptions } from './docker-bed.js';
import { findRealToxiproxyImage } from './toxiproxy-image.js';

/** Builds or finds the bed's images and returns them in the shape `DockerBed.start` takes. */
export async function bedImages(onProgress: (line: string) => void): Promise<Pick<DockerBedOptions, 'images' | 'realToxiproxy'>> {
  const built = await ensureImages({ names: ['courier', 'bind', 'toxiproxy'], builder: 'auto', onProgress });
  const realToxiproxy = await findRealToxiproxyImage();
  return {
    images: { courier: built.courier, bind: built.bind, toxiproxy: realToxiproxy ?? built.toxiproxy },
    realToxiproxy: realToxiproxy !== undefined,
  };
}
