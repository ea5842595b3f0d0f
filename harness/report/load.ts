/** Reads a finished run directory back into a report input, to render reports again later. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailboxSnapshot } from '../history/snapshot.js';
import type { HistoryEntry } from '../history/types.js';
import type { ReportInput } from './reporter.js';
import type { RunResult } from './result.js';

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Parses JSONL history text and skips blank lines. Throws on a line that is not JSON, naming its line number. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as HistoryEntry);
    } catch (error) {
      throw new Error(`history.jsonl line ${index + 1} is not valid JSON: ${(error as Error).message}`);
    }
  });
  return entries;
}

/**
 * Reads `result.json`, `history.jsonl` and `snapshots.json` from a run directory. A missing
 * history or snapshot file reads as empty, as a run that failed early may not write them.
 * A missing `result.json` rejects. The files are parsed but not validated.
 */
export async function readRunDirectory(dir: string): Promise<ReportInput> {
  const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
  const historyText = await readOptional(join(dir, 'history.jsonl'));
  const snapshotsText = await readOptional(join(dir, 'snapshots.json'));
  return {
    result,
    history: historyText === null ? [] : parseHistory(historyText),
    snapshots: snapshotsText === null ? [] : (JSON.parse(snapshotsText) as MailboxSnapshot[]),
  };
}
