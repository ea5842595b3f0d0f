import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Returns the cache directory: `$MAILHA_CACHE_DIR`, else `~/.cache/mailha`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MAILHA_CACHE_DIR || path.join(os.homedir(), '.cache', 'mailha');
}

/** Options of {@link withLock}. */
export interface LockOptions {
  /** Give up after this many milliseconds of waiting. */
  timeoutMs?: number;
  /** Called once when the lock is held by another process. */
  onWait?: (holder: string) => void;
}

/**
 * Runs `action` while holding an exclusive lock file at `lockPath`, so that
 * two processes never build images at once. The file holds the owner's pid;
 * a lock whose pid no longer runs is taken over.
 *
 * @throws Error when the lock stays held for longer than `timeoutMs`.
 */
export async function withLock<T>(lockPath: string, action: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  // Cold builds of both images take minutes, so waiters must outlast them.
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const started = Date.now();
  let reportedWait = false;
  await mkdir(path.dirname(lockPath), { recursive: true });

  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }

    const holder = (await readFile(lockPath, 'utf8').catch(() => '')).trim();
    if (holder !== '' && !isProcessRunning(Number(holder))) {
      await rm(lockPath, { force: true });
      continue;
    }
    // A lock file that is still empty after a few seconds lost its writer.
    if (holder === '') {
      const age = await stat(lockPath).then((stats) => Date.now() - stats.mtimeMs, () => 0);
      if (age > 5_000) await rm(lockPath, { force: true });
    }
    if (!reportedWait) {
      options.onWait?.(holder || 'unknown');
      reportedWait = true;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for lock ${lockPath} held by pid ${holder || 'unknown'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  try {
    return await action();
  } finally {
    await rm(lockPath, { force: true });
  }
}

function isProcessRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
