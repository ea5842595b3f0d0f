/** The images a container bed runs, built when missing; Shopify's Toxiproxy wins when the host has it. */
import { ensureImages } from '../../images/index.js';
import type { DockerBedOptions } from './docker-bed.js';
import { findRealToxiproxyImage } from './toxiproxy-image.js';

/**
 * Builds or finds the bed's images and returns them in the shape `DockerBed.start` takes. The
 * UML node image is built only for `drbd` storage, as it takes about a minute.
 */
export async function bedImages(onProgress: (line: string) => void, storage: 'shared-volume' | 'drbd' = 'shared-volume'): Promise<Pick<DockerBedOptions, 'images' | 'realToxiproxy'>> {
  const names = storage === 'drbd' ? ['courier', 'bind', 'toxiproxy', 'uml-node'] : ['courier', 'bind', 'toxiproxy'];
  const built = await ensureImages({ names, builder: 'auto', onProgress });
  const realToxiproxy = await findRealToxiproxyImage();
  return {
    images: { courier: built.courier, bind: built.bind, toxiproxy: realToxiproxy ?? built.toxiproxy, umlNode: built['uml-node'] },
    realToxiproxy: realToxiproxy !== undefined,
  };
}
