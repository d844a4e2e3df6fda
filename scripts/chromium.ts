import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import * as zlib from 'zlib';

// Headless Chromium (Debian's `chromium` package) for the report's browser test and its screenshot:
// started offline, with a fresh profile each time, and never anything downloaded.

/** Where Chromium is: $NETPOL_CHROMIUM when set (and nothing else), or Debian's /usr/bin/chromium; undefined when it does not exist. */
export function findChromium(): string | undefined {
  const candidates = process.env.NETPOL_CHROMIUM ? [process.env.NETPOL_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((c) => fs.existsSync(c));
}

/** Whether this runs in CI, where a missing browser fails the test instead of skipping it. */
export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * The flags of every run: headless, no sandbox (CI runs as root), no GPU, and nothing that reaches
 * the network on its own (this machine's closed network otherwise makes it retry connections).
 */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--enable-logging=stderr', '--v=0',
];

/** What one Chromium run printed. */
export interface ChromiumRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Opens `file` (a file:// URL) in headless Chromium with `args` (`--dump-dom`, `--screenshot=...`), with a new empty profile. */
export function runChromium(chromium: string, file: string, args: string[]): ChromiumRun {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-chromium-'));
  try {
    const r = spawnSync(chromium, [...FLAGS, `--user-data-dir=${profile}`, ...args, pathToFileURL(path.resolve(file)).href], {
      encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw new Error(`${chromium} did not run: ${r.error.message}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * The messages the page wrote to its console, from Chromium's log on stderr: script errors, CSP
 * violations (a request the page was not allowed to make), console.log/error calls.
 */
export function consoleMessages(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l));
}

/** Writes a screenshot of `file` at `width` x `height` CSS pixels to `png`. */
export function screenshot(chromium: string, file: string, png: string, width: number, height: number): ChromiumRun {
  return runChromium(chromium, file, [`--window-size=${width},${height}`, `--screenshot=${path.resolve(png)}`]);
}

/** A decoded PNG: 8-bit RGBA (or RGB) pixels, row by row. */
export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** Bytes per pixel: 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
  readonly pixels: Buffer;
}

/**
 * Decodes a PNG of 8-bit RGB or RGBA, not interlaced (what Chromium writes): the chunks, the
 * inflated IDAT data (Node's zlib), and each row's filter undone (PNG specification, section 9).
 */
export function decodePng(data: Buffer): DecodedPng {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 8 || !data.subarray(0, 8).equals(signature)) throw new Error('not a PNG file (bad signature)');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset + 8 <= data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const colour = body[9];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || body[12] !== 0) {
        throw new Error(`unsupported PNG: bit depth ${depth}, colour type ${colour}, interlace ${body[12]} (only 8-bit RGB or RGBA, not interlaced)`);
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (channels === 0) throw new Error('not a PNG file (no IHDR chunk)');
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[out + i - channels] : 0;
      const b = y > 0 ? pixels[out - stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[out - stride + i - channels] : 0;
      let v: number;
      switch (filter) {
        case 0: v = line[i]; break;
        case 1: v = line[i] + a; break;
        case 2: v = line[i] + b; break;
        case 3: v = line[i] + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`bad PNG filter type ${filter} on row ${y}`);
      }
      pixels[out + i] = v & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** How many different colours the image has, and the share of its pixels that are not the most common colour. */
export function colourStats(png: DecodedPng): { colours: number; nonBackground: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    const key = (png.pixels[i] << 16) | (png.pixels[i + 1] << 8) | png.pixels[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = png.width * png.height;
  const most = Math.max(...counts.values());
  return { colours: counts.size, nonBackground: (total - most) / total };
}
