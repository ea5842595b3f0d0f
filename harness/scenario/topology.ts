/** The fixed HA topology the scenario model names: which node sits at which site, in which role. */
import type { NodeName, TargetName } from './schema.js';

export type NodeRole = 'primary' | 'backup' | 'dns';

export interface TopologyNode {
  name: NodeName;
  site: string;
  role: NodeRole;
}

/** Site A holds both primaries, site B the backup; DNS is hosted apart from both sites. */
export const TOPOLOGY_NODES: readonly TopologyNode[] = [
  { name: 'primary-1', site: 'site-a', role: 'primary' },
  { name: 'primary-2', site: 'site-a', role: 'primary' },
  { name: 'backup', site: 'site-b', role: 'backup' },
  { name: 'dns', site: 'site-dns', role: 'dns' },
];

/** Expands a node or site name into the node names it covers, in topology order. */
export function nodesOf(target: TargetName): NodeName[] {
  return TOPOLOGY_NODES.filter((node) => node.name === target || node.site === target).map((node) => node.name);
}

/** Returns the IMAP-serving nodes (primaries and backup) that a target covers. */
export function imapNodesOf(target: TargetName): NodeName[] {
  return nodesOf(target).filter((name) => roleOf(name) !== 'dns');
}

export function roleOf(name: string): NodeRole | undefined {
  return TOPOLOGY_NODES.find((node) => node.name === name)?.role;
}
