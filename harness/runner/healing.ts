/** The healing guarantee: after a scenario, undo every fault and prove that nothing is left broken. */
import type { CheckResult } from '../checkers/types.js';
import type { FaultEngine } from '../faults/engine.js';
import type { HistoryRecorder } from '../history/recorder.js';

export const HEALING_CHECK = 'faults-healed';

/**
 * Heals every fault still active, then reads the proxies and the nodes back. Valid only when no
 * toxic remains, every proxy is enabled and every node of the topology runs unpaused.
 */
export async function healAndVerify(faults: FaultEngine, history: HistoryRecorder): Promise<CheckResult> {
  await faults.healAll();
  const leftovers = await faults.leftovers();
  history.event({ kind: 'fault', phase: 'point', name: 'heal-all', ok: leftovers.length === 0, detail: { leftovers } });
  return {
    name: HEALING_CHECK,
    verdict: leftovers.length === 0 ? 'valid' : 'invalid',
    summary:
      leftovers.length === 0
        ? 'After the scenario no toxic remained, every proxy was enabled and every node ran unpaused.'
        : `${leftovers.length} things were still broken after healing: ${leftovers.slice(0, 3).join('; ')}.`,
    evidence: { leftovers },
  };
}
