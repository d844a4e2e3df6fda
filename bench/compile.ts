import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The directories a child process needs, relative to the repository root. */
const SOURCE_DIRS = ['src', 'bench'];

/**
 * Transpiles `src/` and `bench/` to plain CommonJS in `outDir` (no type checking: the parent, run by
 * ts-node, has type-checked them already), so that the child processes run plain node: their peak
 * memory is the scenario's, not the TypeScript compiler's. The children find `node_modules` through
 * `NODE_PATH`.
 *
 * @returns the path of the compiled child entry point
 */
export function compileForChildren(repoRoot: string, outDir: string): string {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
    sourceMap: false,
    inlineSourceMap: false,
  };
  for (const dir of SOURCE_DIRS) {
    for (const file of listTypeScript(path.join(repoRoot, dir))) {
      const rel = path.relative(repoRoot, file);
      const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: rel }).outputText;
      const target = path.join(outDir, rel.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, output);
    }
  }
  return path.join(outDir, 'bench', 'child.js');
}

function listTypeScript(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTypeScript(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}
