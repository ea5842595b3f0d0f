/** Docker labels that mark what a run created, and removal of leftovers by label. */
import { hostname } from 'node:os';
import type Dockerode from 'dockerode';

export const LABEL_MANAGED = 'mailha.managed';
export const LABEL_RUN = 'mailha.run';
export const LABEL_NODE = 'mailha.node';
/** `HOST:PID` of the process that runs the bed, so `mailha clean` can spare live runs. */
export const LABEL_OWNER = 'mailha.owner';

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_RUN]: runId, [LABEL_OWNER]: `${hostname()}:${process.pid}`, ...extra };
}

/** True when the labels name a process on this host that still runs. */
export function ownerIsAlive(labels: Record<string, string> | undefined): boolean {
  const owner = labels?.[LABEL_OWNER];
  if (!owner) return false;
  const separator = owner.lastIndexOf(':');
  const pid = Number(owner.slice(separator + 1));
  if (owner.slice(0, separator) !== hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface CleanupReport {
  containers: string[];
  networks: string[];
  volumes: string[];
  errors: string[];
  /** Resources left alone because the run that owns them is still going. */
  kept: number;
}

/**
 * Removes containers, then networks, then volumes carrying `mailha.managed=true` (and, when
 * given, the run's label). Without a run id, resources whose owning process still runs on this
 * host are kept unless `includeLive` is set. Each removal has its own try, so one failure never
 * hides the rest.
 */
export async function removeLabelled(docker: Dockerode, runId?: string, includeLive = false): Promise<CleanupReport> {
  const filters = { label: [runId ? `${LABEL_RUN}=${runId}` : `${LABEL_MANAGED}=true`] };
  const report: CleanupReport = { containers: [], networks: [], volumes: [], errors: [], kept: 0 };
  const keep = (labels: Record<string, string> | undefined) => {
    const spared = !runId && !includeLive && ownerIsAlive(labels);
    if (spared) report.kept += 1;
    return spared;
  };

  for (const info of await docker.listContainers({ all: true, filters })) {
    if (keep(info.Labels)) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
      report.containers.push(info.Names[0]?.replace(/^\//, '') ?? info.Id);
    } catch (error) {
      report.errors.push(`container ${info.Id.slice(0, 12)}: ${(error as Error).message}`);
    }
  }
  for (const info of await docker.listNetworks({ filters })) {
    if (keep(info.Labels)) continue;
    try {
      await docker.getNetwork(info.Id).remove();
      report.networks.push(info.Name);
    } catch (error) {
      report.errors.push(`network ${info.Name}: ${(error as Error).message}`);
    }
  }
  const { Volumes } = await docker.listVolumes({ filters });
  for (const info of Volumes ?? []) {
    if (keep(info.Labels ?? undefined)) continue;
    try {
      await docker.getVolume(info.Name).remove();
      report.volumes.push(info.Name);
    } catch (error) {
      report.errors.push(`volume ${info.Name}: ${(error as Error).message}`);
    }
  }
  return report;
}
