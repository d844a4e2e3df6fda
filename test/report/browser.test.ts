import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chainOfNamespaces } from './fixtures';
import { colourStats, consoleMessages, decodePng, findChromium, inCi, runChromium, screenshot } from '../../scripts/chromium';
import { threeTierReport } from '../../scripts/report-doc';
import { AuditReport, HtmlFormat, Reachability } from '../../src';

// The report in a real browser: Debian's headless Chromium opens it from a file:// URL, offline.
// Without a Chromium binary the tests are skipped locally, and fail in CI (CI=true), where
// .ci/run installs it.
const chromium = findChromium();

if (!chromium && inCi()) {
  test('Chromium is installed in CI', () => {
    throw new Error('no Chromium found (/usr/bin/chromium, or NETPOL_CHROMIUM): .ci/run installs Debian\'s chromium package; the report\'s browser test needs it in CI.');
  });
} else if (!chromium) {
  // eslint-disable-next-line no-console
  console.warn('skipping the report\'s browser tests: no Chromium found (apt-get install chromium, or set NETPOL_CHROMIUM); CI runs them.');
}

const maybe = chromium ? describe : describe.skip;

maybe('the audit report in headless Chromium', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-browser-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const html = threeTierReport().text;
  const report = write('report.html', html);

  test('opens offline with no console message, and the rendered DOM has the graph with every endpoint and namespace box', () => {
    const run = runChromium(chromium!, report, ['--dump-dom']);
    expect(run.status).toBe(0);
    expect(consoleMessages(run.stderr)).toEqual([]);
    const dom = run.stdout;
    expect(dom).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="connectivity"');
    for (const id of ['shop/frontend', 'shop/backend', 'shop/postgres', 'kube-system/coredns', 'ingress-nginx/controller', 'payment-api']) {
      expect(dom).toContain(`<g class="node" data-id="${id}">`);
    }
    expect(dom.match(/<g class="ns[^"]*" data-namespace=/g)).toHaveLength(4);
    expect(dom).toContain('data-from="shop/frontend" data-to="shop/backend"');
  }, 120_000);

  test('a screenshot shows the graph: the image is not blank, and the graph\'s colours are in it', () => {
    const png = path.join(dir, 'report.png');
    const run = screenshot(chromium!, report, png, 1280, 700);
    expect(run.status).toBe(0);
    const image = decodePng(fs.readFileSync(png));
    expect([image.width, image.height]).toEqual([1280, 700]);
    const stats = colourStats(image);
    expect(stats.colours).toBeGreaterThan(50);
    expect(stats.nonBackground).toBeGreaterThan(0.03);
    // the workloads' fill (#ddf4ff) and the namespace boxes' (#f6f8fa) are on screen
    const has = (rgb: number[]) => {
      for (let i = 0; i < image.pixels.length; i += image.channels) {
        if (image.pixels[i] === rgb[0] && image.pixels[i + 1] === rgb[1] && image.pixels[i + 2] === rgb[2]) return true;
      }
      return false;
    };
    expect(has([0xdd, 0xf4, 0xff])).toBe(true);
    expect(has([0xf6, 0xf8, 0xfa])).toBe(true);
  }, 120_000);

  test('the checks can fail: a console error, a request the page may not make, and a blank page are caught', () => {
    const noisy = write('noisy.html', html.replace('</body>', '<script>console.error("broken")</script></body>').replace(/<meta http-equiv[^>]*>/, ''));
    expect(consoleMessages(runChromium(chromium!, noisy, ['--dump-dom']).stderr).join('\n')).toContain('broken');
    const fetching = write('fetching.html', html.replace('</body>', '<img src="https://203.0.113.9/logo.png"></body>'));
    expect(consoleMessages(runChromium(chromium!, fetching, ['--dump-dom']).stderr).join('\n')).toMatch(/Content Security Policy/);
    const blank = write('blank.html', '<!DOCTYPE html><html><body></body></html>');
    const png = path.join(dir, 'blank.png');
    screenshot(chromium!, blank, png, 400, 300);
    expect(colourStats(decodePng(fs.readFileSync(png)))).toEqual({ colours: 1, nonBackground: 0 });
  }, 120_000);

  test('the report of 200 workloads opens with no console message and renders every namespace box', () => {
    const big = write('big.html', HtmlFormat.report(AuditReport.of(Reachability.fromManifests(chainOfNamespaces(20, 10)))));
    const run = runChromium(chromium!, big, ['--dump-dom']);
    expect(consoleMessages(run.stderr)).toEqual([]);
    expect(run.stdout.match(/<g class="ns" data-namespace="team-\d\d">/g)).toHaveLength(20);
    expect(run.stdout.match(/<g class="node" data-id=/g)).toHaveLength(200);
  }, 120_000);
});
