/**
 * Print an HTML file to PDF with Debian's Chromium (headless, through Playwright): what the browser shows
 * is what the PDF holds. Every request other than file: is refused, so a document that tries the network
 * prints without it. The browser is closed also when printing fails.
 */
import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { ProvisionError } from '../../core/errors.ts';

/** Debian's chromium package (cli/setup.sh installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless run as root on a server: no sandbox (root), no GPU, nothing fetched in the background. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PrintOptions {
  readonly executablePath?: string;
  readonly timeoutMs?: number;
}

/** Print `htmlFile` to `pdfFile` (A4, backgrounds kept); returns the URLs it refused to fetch. */
export async function printPdf(htmlFile: string, pdfFile: string, opts: PrintOptions = {}): Promise<{ refused: string[] }> {
  const executablePath = opts.executablePath ?? CHROMIUM_PATH;
  await access(executablePath).catch(() => {
    throw new ProvisionError(`Chromium is not installed at ${executablePath}: the certificate's PDF cannot be printed`, {
      hint: 'run cli/setup.sh (it installs Debian\'s chromium package)',
    });
  });
  const timeout = opts.timeoutMs ?? 60_000;
  // Loaded here, not at the top: playwright costs every `wirespeed` command half a second of start-up.
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout }).catch((e: unknown) => {
    throw new ProvisionError(`Chromium did not start: ${(e as Error).message.split('\n')[0]}`, { where: executablePath, hint: 'run it by hand with --headless to see why', cause: e });
  });
  const refused: string[] = [];
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      refused.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(htmlFile).href, { timeout, waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: pdfFile, format: 'A4', printBackground: true, preferCSSPageSize: true });
    return { refused };
  } finally {
    await browser.close();
  }
}
