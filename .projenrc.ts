import { cdk8s, DependencyType, javascript } from 'projen';

/**
 * cdk8s-netpol: Kubernetes NetworkPolicies as typed, validated, provable cdk8s constructs.
 *
 * Everything generated (package.json, tsconfig*.json, .eslintrc.json, .gitignore, workflows,
 * .projen/) comes from this file: change it here and run `npx projen`.
 */

const CDK8S_VERSION = '2.70.106';
const CONSTRUCTS_VERSION = '10.4.2';
const CDK8S_PLUS_VERSION = '2.5.6';
const NODE_VERSION = '20.19.0';

/** Folders of TypeScript that is not part of the published library but is type-checked and linted. */
const DEV_DIRS = ['examples', 'bench', 'scripts'];

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-netpol',
  description:
    'Kubernetes NetworkPolicies as cdk8s constructs: deny by default, allow what you declare, validated against the API server rules and proven by a reachability analyser.',
  keywords: ['cdk8s', 'kubernetes', 'networkpolicy', 'network-policy', 'security', 'zero-trust'],
  author: 'cdk8s-netpol maintainers',
  authorAddress: 'maintainers@cdk8s-netpol.dev',
  repositoryUrl: 'https://github.com/cdk8s-netpol/cdk8s-netpol.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // Toolchain versions that work together (see README "Development").
  cdk8sVersion: CDK8S_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0',
  // The lowest Node.js every installed package accepts (jsii 6 and jsii-rosetta: >= 20.16.0; the
  // typescript-eslint tree: ^20.19.0): the package's engines, and what the workflows run, so CI
  // proves the minimum. test/package/node-version.test.ts checks it against node_modules and README.
  minNodeVersion: NODE_VERSION,
  workflowNodeVersion: NODE_VERSION,

  // cdk8s-plus-28 workloads are accepted as policy endpoints.
  peerDeps: [`cdk8s-plus-28@^${CDK8S_PLUS_VERSION}`],
  devDeps: [
    `cdk8s-plus-28@${CDK8S_PLUS_VERSION}`,
    'fast-check@^4',
    '@types/js-yaml@^4',
    // The real `cdk8s synth` runs the validation plugin in the test suite (test/validation/cdk8s-cli-e2e.test.ts).
    'cdk8s-cli@~2.207.60',
    'semver@^7',
    '@types/semver@^7',
    // Mutation testing of the semantic core (`npx projen mutation`, stryker.config.mjs). Pinned to
    // 9.x: Stryker 10 needs Node.js 22, above this project's minimum. The runner's peer dependency
    // is the exact core version, so both move together.
    '@stryker-mutator/core@~9.6.1',
    '@stryker-mutator/jest-runner@~9.6.1',
  ],
  // Not jsii modules, so they travel inside the package. js-yaml reads manifests ~10x faster and in
  // ~5x less memory than the `yaml` package cdk8s uses for writing (50 MB: 4 s instead of 50 s).
  bundledDeps: ['js-yaml@^4.1.0'],

  bin: { netpol: 'lib/cli/main.js' },

  // A construct library for every jsii language, named as cdk8s-team libraries are. jsii-pacmak
  // generates each one's package into dist/<language>/; CI proves the code generation of every
  // target (scripts/prove-pacmak.sh). Nothing is published from here (`release: false` below), so
  // these only name the packages and add a packaging job per language to the build workflow.
  publishToPypi: { distName: 'cdk8s-netpol', module: 'cdk8s_netpol' },
  publishToMaven: { javaPackage: 'dev.cdk8snetpol', mavenGroupId: 'dev.cdk8snetpol', mavenArtifactId: 'cdk8s-netpol' },
  publishToNuget: { dotNetNamespace: 'Cdk8sNetpol', packageId: 'Cdk8sNetpol' },
  publishToGo: { moduleName: 'github.com/cdk8s-netpol/cdk8s-netpol-go', packageName: 'cdk8snetpol' },

  jestOptions: {
    jestVersion: '^29',
    // The normal test task must never rewrite snapshots; `test:update` exists for deliberate updates.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    coverageText: false,
    jestConfig: {
      testTimeout: 60_000,
      // One worker per core. Jest's default (cores - 1) is one worker on CI's 2-core machines, and
      // with one worker it runs every suite in its own process, one heap for all: the full suite took
      // 40 minutes so in CI, and 8 minutes in two workers on the same kind of machine.
      maxWorkers: '100%',
      coverageReporters: ['text-summary', 'lcov'],
      // Registers the reachability matchers (expect(chart).toAllow(...) / .toDeny(...)).
      setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
      // Stryker's sandboxes (copies of the project, while `npx projen mutation` runs) are not modules.
      modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', ...DEV_DIRS, 'projenrc', '.projenrc.ts'],
  },

  // This repository is not published from here: no release or dependency-upgrade automation.
  release: false,
  depsUpgrade: false,
  githubOptions: { mergify: false },
  pullRequestTemplate: false,

  // examples/out/: `npm run synth` (kept apart from dist/, which is the package build's).
  // reports/mutation/ and .stryker-tmp/: `npx projen mutation` (reports and Stryker's sandboxes).
  gitignore: ['/bench/results.json', '/.tmp/', '/examples/out/', '/reports/', '/.stryker-tmp/'],
});

// The npm package is the library only, by an allow-list (`files`), so a new folder of the repository
// (bench/, scripts/, examples/, .ci/, ...) never leaks into it; .npmignore stays only because jsii
// writes one of its own when there is none (npm does not let it override `files`). The list:
// lib/ (compiled JavaScript and declarations), the jsii assembly that other jsii languages and
// jsii-pacmak read, and the API reference. npm adds package.json, README.md and LICENSE itself,
// and the bundled dependencies (node_modules/js-yaml and its dependency argparse).
// test/package/tarball.test.ts checks the exact list.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', '.jsii', 'API.md']);

// Type-check and lint the examples, benchmarks and scripts with the same compiler options as tests.
for (const dir of DEV_DIRS) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    compilerOptions: { noEmit: true, rootDir: '..' },
    include: ['**/*.ts'],
    exclude: ['node_modules'],
  });
}

// Newer versions of the resolver (and jest 30) pull in unrs-resolver, whose per-platform optional
// packages are not all on this registry; npm 11.16+ then rejects its own lock file in `npm ci`.
// (Set after the project is created: the eslint component adds the resolver unpinned.)
project.deps.addDependency('eslint-import-resolver-typescript@~3.8.7', DependencyType.BUILD);

// Layers import one way (README "Design notes"): each folder of src/ may import only the folders
// listed for it, so a lower layer never imports a higher one and validation and analysis never each
// other. A wrong import fails `npm test` (test/architecture/layers.test.ts shows the rule firing).
const LAYERS: Record<string, string[]> = {
  k8s: [],
  model: ['k8s'],
  inventory: ['k8s', 'model'],
  flows: ['k8s', 'model', 'inventory'],
  validation: ['k8s', 'model', 'inventory'],
  analysis: ['k8s', 'model', 'inventory', 'flows'],
  endpoints: ['k8s', 'model'],
  constructs: ['k8s', 'model', 'inventory', 'validation', 'analysis', 'endpoints'],
  recipes: ['k8s', 'model', 'inventory', 'validation', 'analysis', 'endpoints', 'constructs'],
  generate: ['k8s', 'model', 'inventory', 'flows', 'validation', 'analysis', 'endpoints', 'constructs'],
  adapters: ['k8s', 'model', 'inventory', 'flows', 'validation', 'analysis'],
  formats: ['k8s', 'model', 'inventory', 'flows', 'validation', 'analysis', 'generate'],
  synth: ['k8s', 'model', 'inventory', 'flows', 'validation', 'analysis', 'endpoints', 'constructs', 'recipes', 'adapters'],
  testing: ['k8s', 'model', 'inventory', 'validation', 'analysis', 'formats'],
  cli: ['k8s', 'model', 'inventory', 'flows', 'validation', 'analysis', 'adapters', 'formats', 'generate'],
};
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: Object.entries(LAYERS).map(([layer, allowed]) => ({
      target: `./src/${layer}`,
      from: './src',
      except: [`./${layer}`, ...allowed.map((a) => `./${a}`)],
      message: `src/${layer} may import only ${[layer, ...allowed].join(', ')} (layers import one way: see README "Design notes").`,
    })),
  }],
});

// IP arithmetic and the analyser's bitsets are bitwise by nature.
project.eslint?.addRules({ 'no-bitwise': 'off' });
// Error messages carry the value, the place and the fix; keep them on one searchable line.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', {
    code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true, ignoreRegExpLiterals: true,
  }],
});

// `npm test` type-checks the tests and the dev folders: jest (ts-jest) and ts-node only transpile
// them, so a type error there would otherwise never fail anything. test/tsconfig.json sets
// isolatedModules for ts-jest; it is turned off here, where it would only flag the type re-exports
// of src/index.ts (harmless to a per-file transpiler: they become undefined exports).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check the tests, examples, benchmarks, scripts and projenrc (jest and ts-node only transpile them)',
  steps: [
    { exec: 'tsc --noEmit -p test/tsconfig.json --isolatedModules false' },
    ...[...DEV_DIRS, 'projenrc'].map((dir) => ({ exec: `tsc --noEmit -p ${dir}/tsconfig.json` })),
  ],
});
project.testTask.prependSpawn(typecheck);

// The README's test command (`npm test`) also proves the public API compiles with jsii (first,
// before the type-check of the tests above).
project.testTask.prependSpawn(project.compileTask);

// `npx projen docs`: regenerate the generated blocks of the docs (a test fails when they are stale).
project.addTask('docs', {
  description: 'Regenerate the generated blocks of README.md and docs/ from the code',
  exec: 'ts-node --project scripts/tsconfig.json scripts/docs.ts',
});

// `npx projen docs:screenshot`: the README's picture of the three-tier example's audit report
// (docs/report-three-tier.html, then its screenshot by headless Chromium into docs/report-three-tier.png).
project.addTask('docs:screenshot', {
  description: 'Regenerate docs/report-three-tier.html and its screenshot docs/report-three-tier.png (needs Chromium)',
  exec: 'ts-node --project scripts/tsconfig.json scripts/report-doc.ts',
});

// `npx projen test:fuzz`: the property tests with a random (printed) seed and many more runs.
project.addTask('test:fuzz', {
  description: 'Property tests with a random seed (printed; replay with NETPOL_FUZZ_SEED) and 20x the runs',
  env: { NETPOL_FUZZ: '1' },
  exec: 'jest --ci --coverage=false --testPathPattern "property"',
  receiveArgs: true,
});

// `npm run bench`: speed and memory figures with ratios (targets live here, never in unit tests).
project.addTask('bench', {
  description: 'Benchmarks: synth, validation and analysis at 100 / 1,000 / 5,000 services, replay and generate on flow exports; writes bench/results.json',
  exec: 'ts-node --project bench/tsconfig.json bench/run.ts',
  receiveArgs: true,
});

// `npm run synth`: synthesize every example app into examples/out/ (atomically: a failure keeps the
// old output). Never into dist/: jsii-pacmak writes the packages there.
project.addTask('synth', {
  description: 'Synthesize the example applications into examples/out/',
  exec: 'ts-node --project examples/tsconfig.json examples/main.ts',
});

// `npx projen mutation`: mutation testing of the semantic core (model, analysis, validation, k8s) with
// Stryker's jest runner; configuration in stryker.config.mjs, reports in reports/mutation/. Takes
// long (hours with the whole suite on 2 cores), so it is in neither `npm test` nor `.ci/run`. One folder
// with the tests written for it: `NETPOL_MUTATION_TESTS='test/model/**/*.test.ts' npx projen mutation
// --mutate 'src/model/**/*.ts'` (arguments go to `stryker run` verbatim: no shell expands the globs).
project.addTask('mutation', {
  description: 'Mutation testing of src/model, src/analysis, src/validation and src/k8s (Stryker + jest); reports in reports/mutation/',
  execArgs: ['stryker', 'run', 'stryker.config.mjs'],
  receiveArgs: true,
});

project.synth();
