/** Chooses Shopify's Toxiproxy image when the host has it, else mailha's compatible server. */
import { execa } from 'execa';

/** Image names of the real Toxiproxy, in order of preference; `MAILHA_TOXIPROXY_IMAGE` overrides. */
const REAL_IMAGES = ['ghcr.io/shopify/toxiproxy:2.12.0', 'ghcr.io/shopify/toxiproxy:latest', 'shopify/toxiproxy:latest'];

/** Returns a real Toxiproxy image present on the host, or undefined. Never pulls. */
export async function findRealToxiproxyImage(): Promise<string | undefined> {
  const candidates = process.env.MAILHA_TOXIPROXY_IMAGE ? [process.env.MAILHA_TOXIPROXY_IMAGE] : REAL_IMAGES;
  for (const image of candidates) {
    const inspect = await execa('docker', ['image', 'inspect', image], { reject: false });
    if (inspect.exitCode === 0) return image;
  }
  return undefined;
}
