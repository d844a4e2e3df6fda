import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readManifests } from '../../src/adapters/manifest-reader';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

test('every file read, standard input included, comes with the sha256 and size of its bytes, in the order read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-digests-'));
  try {
    const a = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
    const b = '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "büro"}}';
    fs.mkdirSync(path.join(dir, 'tree'));
    fs.writeFileSync(path.join(dir, 'tree', 'b.json'), b);
    fs.writeFileSync(path.join(dir, 'tree', 'a.yaml'), a);
    fs.writeFileSync(path.join(dir, 'tree', 'notes.txt'), 'not a manifest');
    const stdin = Buffer.from('kind: List\nitems: []\n');
    const r = readManifests([path.join(dir, 'tree'), '-'], () => stdin);
    expect(r.digests).toEqual([
      { file: path.join(dir, 'tree', 'a.yaml'), sha256: sha(a), bytes: Buffer.byteLength(a) },
      { file: path.join(dir, 'tree', 'b.json'), sha256: sha(b), bytes: Buffer.byteLength(b) },
      { file: '<stdin>', sha256: sha(stdin), bytes: stdin.length },
    ]);
    expect(r.digests[1].bytes).toBe(b.length + 1); // ü is two bytes: the hash and the size are of the bytes, not the characters
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that cannot be read has no digest: a report never lists a hash of bytes it did not read', () => {
  const r = readManifests(['/nonexistent/netpol.yaml', '-'], () => {
    throw new Error('closed');
  });
  expect(r.problems.map((p) => p.file)).toEqual(['/nonexistent/netpol.yaml', '<stdin>']);
  expect(r.digests).toEqual([]);
});
