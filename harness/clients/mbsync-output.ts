/** Reading of mbsync's console output: its error and warning lines, verbatim, and the version line. */

export interface MbsyncOutput {
  /** Lines that report a failure, in output order, trimmed but otherwise as mbsync printed them. */
  errors: string[];
  warnings: string[];
}

// Against Courier, isync 1.4.4 printed failures as "Error: channel ..." and "IMAP command '...'
// returned an error: NO ...", and warnings as "Warning: ..." and "*** IMAP Warning *** ...".
// Any line with the word "error" counts, so other failure lines are kept too.
const ERROR_LINE = /(?:^|\s)(?:error\b|Error:|Error )/i;
const WARNING_LINE = /\bwarning\b/i;

/** Splits mbsync's combined stdout and stderr into error and warning lines. */
export function parseMbsyncOutput(text: string): MbsyncOutput {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (ERROR_LINE.test(line)) errors.push(line);
    else if (WARNING_LINE.test(line)) warnings.push(line);
  }
  return { errors, warnings };
}

/** Extracts `isync X.Y.Z` from the output of `mbsync --version`; throws when the line is missing. */
export function parseMbsyncVersion(text: string): string {
  const match = /^isync \d+(?:\.\d+)+\S*/m.exec(text);
  if (!match) throw new Error(`mbsync --version printed no "isync X.Y.Z" line: ${JSON.stringify(text.slice(0, 200))}`);
  return match[0];
}

/** Describes a run for a step's detail: the exit code and the error lines verbatim. */
export function describeRun(exitCode: number, output: MbsyncOutput): string {
  if (output.errors.length > 0) return `exit code ${exitCode}: ${output.errors.join(' | ')}`;
  return `exit code ${exitCode}, no error line`;
}
