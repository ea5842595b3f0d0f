import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Env variable that overrides the Debian mirror read from the host's apt configuration. */
export const MIRROR_ENV = 'MAILHA_DEBIAN_MIRROR';

/**
 * Resolves the Debian mirror URL for debootstrap: `$MAILHA_DEBIAN_MIRROR`
 * when set, else the first Debian archive among the `URIs:` lines of
 * `<aptDir>/sources.list.d/*.sources` and the `deb` lines of
 * `<aptDir>/sources.list`. Security archives (`…-security`) are skipped
 * because debootstrap needs the main archive.
 *
 * @throws Error when neither the variable nor an apt source exists.
 */
export async function resolveDebianMirror(env: NodeJS.ProcessEnv = process.env, aptDir = '/etc/apt'): Promise<string> {
  const fromEnv = env[MIRROR_ENV]?.trim();
  if (fromEnv) return fromEnv;

  const candidates: string[] = [];
  const sourcesDir = path.join(aptDir, 'sources.list.d');
  const sourceFiles = await readdir(sourcesDir).catch(() => [] as string[]);
  for (const name of sourceFiles.filter((file) => file.endsWith('.sources')).sort()) {
    const text = await readFile(path.join(sourcesDir, name), 'utf8').catch(() => '');
    for (const match of text.matchAll(/^URIs:\s*(.+)$/gim)) candidates.push(...match[1]!.trim().split(/\s+/));
  }
  const listText = await readFile(path.join(aptDir, 'sources.list'), 'utf8').catch(() => '');
  for (const match of listText.matchAll(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)) candidates.push(match[1]!);

  const mirror = candidates.find((uri) => /^https?:\/\//.test(uri) && !/-security\/?$/.test(uri));
  if (mirror) return mirror;
  throw new Error(
    `No Debian mirror found: ${MIRROR_ENV} is unset and neither ${sourcesDir}/*.sources (URIs:) ` +
      `nor ${path.join(aptDir, 'sources.list')} (deb lines) names an http(s) archive. ` +
      `Set ${MIRROR_ENV} to a Debian mirror URL.`,
  );
}
