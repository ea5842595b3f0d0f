/**
 * Renders JUnit XML: one `<testsuite>` per scenario run and one `<testcase>` per check, in the
 * Ant JUnit format that GitHub, GitLab and Jenkins read.
 *
 * Verdicts map as follows. `valid` passes. `invalid` is a `<failure>`. `unknown` is an `<error>`,
 * not `<skipped>`, because CI systems show a skipped test as neutral and keep the build green.
 * `unknown` means the checker could not decide, and the run's verdict counts it as worse than
 * valid, so it must not look like a pass. A run that failed (`result.error`) gets one extra
 * testcase named `run` with an `<error>`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult } from '../checkers/types.js';
import type { ReportInput, Reporter } from './reporter.js';
import type { RunResult } from './result.js';

export const JUNIT_REPORT_FILE = 'junit.xml';

/**
 * Characters XML 1.0 does not allow at all, even escaped: C0 controls other than tab, LF and
 * CR, lone surrogates, and U+FFFE/U+FFFF. Checker evidence can hold raw server output, so
 * they are replaced with U+FFFD.
 */
const INVALID_XML_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for XML element content. A small escaper instead of an XML library, because the
 * document is a fixed shape of a few elements and the escaping rules are only these.
 */
export function escapeXmlText(text: string): string {
  return text.replace(INVALID_XML_CHARACTERS, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes text for a double-quoted XML attribute value. Tab, LF and CR become character
 * references, because a parser would otherwise normalise them to spaces.
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countSuite(result: RunResult): SuiteCounts {
  return {
    tests: result.checks.length + (result.error ? 1 : 0),
    failures: result.checks.filter((check) => check.verdict === 'invalid').length,
    errors: result.checks.filter((check) => check.verdict === 'unknown').length + (result.error ? 1 : 0),
    skipped: 0,
  };
}

function evidenceText(check: CheckResult): string {
  return escapeXmlText(JSON.stringify(check.evidence, null, 2) ?? 'null');
}

function checkCase(result: RunResult, check: CheckResult): string {
  const opening = `    <testcase${attributes({ classname: result.scenario, name: check.name, time: 0 })}`;
  if (check.verdict === 'valid') return `${opening}>\n      <system-out>${escapeXmlText(check.summary)}</system-out>\n    </testcase>`;
  const element = check.verdict === 'invalid' ? 'failure' : 'error';
  return `${opening}>
      <${element}${attributes({ message: check.summary, type: check.verdict })}>${evidenceText(check)}</${element}>
    </testcase>`;
}

function runErrorCase(result: RunResult): string {
  const message = result.error ?? '';
  return `    <testcase${attributes({ classname: result.scenario, name: 'run', time: (result.timings.wallMs / 1000).toFixed(3) })}>
      <error${attributes({ message, type: 'run-error' })}>${escapeXmlText(message)}</error>
    </testcase>`;
}

function suite(result: RunResult, id: number): string {
  const counts = countSuite(result);
  const properties = {
    runId: result.runId,
    seed: result.seed,
    file: result.file,
    question: result.question,
    verdict: result.verdict,
  };
  const cases = result.checks.map((check) => checkCase(result, check));
  if (result.error) cases.push(runErrorCase(result));
  return `  <testsuite${attributes({
    name: result.scenario,
    id,
    tests: counts.tests,
    failures: counts.failures,
    errors: counts.errors,
    skipped: counts.skipped,
    time: (result.timings.wallMs / 1000).toFixed(3),
    // The Ant schema's timestamp has no time zone; this one is UTC.
    timestamp: result.timings.startedAt.slice(0, 19),
  })}>
    <properties>
${Object.entries(properties)
  .map(([name, value]) => `      <property${attributes({ name, value })}/>`)
  .join('\n')}
    </properties>
${cases.join('\n')}
  </testsuite>`;
}

/**
 * Renders JUnit XML for scenario runs: one `<testsuite>` per run (named after the scenario, with
 * the run id among its properties) inside one `<testsuites>` whose counts are the sums.
 */
export function renderJunit(results: readonly RunResult[]): string {
  const totals = results.map(countSuite).reduce(
    (sum, counts) => ({
      tests: sum.tests + counts.tests,
      failures: sum.failures + counts.failures,
      errors: sum.errors + counts.errors,
      skipped: sum.skipped + counts.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  const wallSeconds = results.reduce((sum, result) => sum + result.timings.wallMs, 0) / 1000;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites${attributes({ name: 'mailha', ...totals, time: wallSeconds.toFixed(3) })}>
${results.map((result, index) => suite(result, index)).join('\n')}
</testsuites>
`;
}

/** Writes `junit.xml` for this one run into its directory. */
export const junitReporter: Reporter = {
  name: 'junit',
  async write(dir: string, input: ReportInput) {
    const path = join(dir, JUNIT_REPORT_FILE);
    await writeFile(path, renderJunit([input.result]));
    return path;
  },
};
