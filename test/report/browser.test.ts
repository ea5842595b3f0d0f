/**
 * Opens report.html in headless Chromium and checks that the tables and charts render. Needs
 * the Debian `chromium` package at /usr/bin/chromium and skips without it. With
 * MAILHA_UPDATE_SCREENSHOT=1 it also writes docs/report.png from the real-run fixture.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReporter } from '../../harness/report/html.js';
import { REPORT_PLOTS } from '../../harness/report/plots/index.js';
import type { ReportInput } from '../../harness/report/reporter.js';
import { emptyInput, fixtureInput } from './inputs.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the browser test of report.html: ${CHROMIUM} is missing; install it with: apt-get install -y chromium`);

describe.skipIf(!hasChromium)('report.html in Chromium', () => {
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailha-report-browser-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes the report into its own directory, opens it and records every request the page makes. */
  async function open(name: string, input: ReportInput) {
    const runDir = join(dir, name);
    await mkdir(runDir);
    const path = await htmlReporter.write(runDir, input);
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    return { page, requests, url: pathToFileURL(path).href };
  }

  it('renders the fixture tables and charts', async () => {
    const { page, requests, url } = await open('fixture', await fixtureInput());

    const table = await page.locator('table#checks').boundingBox();
    expect(table?.width).toBeGreaterThan(0);
    expect(table?.height).toBeGreaterThan(0);
    // The fixture ran on the shared-volume stand-in: the DRBD chart shows its note instead.
    expect(await page.locator('#plot-storage p.no-data').count()).toBe(1);
    for (const plot of REPORT_PLOTS.filter((each) => each.id !== 'storage')) {
      const box = await page.locator(`#plot-${plot.id} svg`).boundingBox();
      expect(box?.width, `chart ${plot.id} has no width`).toBeGreaterThan(100);
      expect(box?.height, `chart ${plot.id} has no height`).toBeGreaterThan(50);
    }
    expect(requests).toEqual([url]);

    if (process.env.MAILHA_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  }, 60_000);

  it('renders empty run with notes', async () => {
    const { page, requests, url } = await open('empty', emptyInput());

    expect(await page.locator('svg').count()).toBe(0);
    expect(await page.locator('p.no-data').count()).toBe(REPORT_PLOTS.length);
    const error = await page.locator('p.run-error').boundingBox();
    expect(error?.height).toBeGreaterThan(0);
    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);
});
