/**
 * The frame of a self-contained HTML document (the run report, the certificate): no scripts, no network,
 * one inline stylesheet, the sections in a <main>. Empty sections are left out.
 */
import { esc } from './svg/escape.ts';

export interface HtmlPage {
  readonly title: string;
  /** The <meta name="generator"> content: "wirespeed", or with the harness version. */
  readonly generator: string;
  /** Inline CSS, complete. */
  readonly style: string;
  /** Rendered sections, in order; empty strings are skipped. */
  readonly sections: readonly string[];
}

export function htmlPage(p: HtmlPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(p.generator)}">
<title>${esc(p.title)}</title>
<style>${p.style}</style>
</head>
<body>
<main>
${p.sections.filter(Boolean).join('\n')}
</main>
</body>
</html>
`;
}
