/** Docker helpers for bed tests: what the runs left behind. */
import { execa } from 'execa';

/** Ids of containers, networks and volumes carrying a label filter such as `mailha.managed=true`. */
export async function labelled(filter: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const list = async (args: string[]) =>
    (await execa('docker', [...args, '--filter', `label=${filter}`, '--quiet'])).stdout.split('\n').filter(Boolean);
  return {
    containers: await list(['ps', '--all']),
    networks: await list(['network', 'ls']),
    volumes: await list(['volume', 'ls']),
  };
}
