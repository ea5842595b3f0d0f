/** Docker labels that mark what a run created, and removal of leftovers by label. */
import type Dockerode from 'dockerode';

export const LABEL_MANAGED = 'mailha.managed';
export const LABEL_RUN = 'mailha.run';
export const LABEL_NODE = 'mailha.node';

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_RUN]: runId, ...extra };
}

export interface CleanupReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  errors: string[];
}

/**
 * Removes containers, then networks, then volumes carrying `mailha.managed=true` (and, when
 * given, the run's label). Each removal has its own try, so one failure never hides the rest.
 */
export async function removeLabelled(docker: Dockerode, runId?: string): Promise<CleanupReport> {
  const filters = { label: [runId ? `${LABEL_RUN}=${runId}` : `${LABEL_MANAGED}=true`] };
  const report: CleanupReport = { containers: [], networks: [], volumes: [], errors: [] };

  for (const info of await docker.listContainers({ all: true, filters })) {
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      report.containers.push(info.Names[0]?.replace(/^\//, '') ?? info.Id);
    } catch (error) {
      report.errors.push(`container ${info.Id.slice(0, 12)}: ${(error as Error).message}`);
    }
  }
  for (const info of await docker.listNetworks({ filters })) {
    try {
      await docker.getNetwork(info.Id).remove();
      report.networks.push(info.Name);
    } catch (error) {
      report.errors.push(`network ${info.Name}: ${(error as Error).message}`);
    }
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const info of Volumes ?? []) {
    try {
      await docker.getVolume(info.Name).remove();
      report.volumes.push(info.Name);
    } catch (error) {
      report.errors.push(`volume ${info.Name}: ${(error as Error).message}`);
    }
  }
  return report;
}
