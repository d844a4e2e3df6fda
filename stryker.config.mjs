// Mutation testing of the semantic core with Stryker's jest runner: `npx projen mutation` (README,
// "Development"). The globs are by folder, so a reorganised src/ needs only these lines changed.
//
// One folder with the tests written for it (minutes, not hours):
//   NETPOL_MUTATION_TESTS='test/model/**/*.test.ts' npx projen mutation --mutate 'src/model/**/*.ts'
// NETPOL_MUTATION_TESTS (comma-separated globs of test files) becomes jest's testMatch, so the run of
// each mutant loads only those test files (Stryker's own --testFiles limits only the initial run).

const only = (process.env.NETPOL_MUTATION_TESTS ?? '').split(',').map((glob) => glob.trim()).filter((glob) => glob !== '');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The project's jest config (package.json "jest": ts-jest, test/setup.ts matchers, timeouts).
    configFile: 'package.json',
    enableFindRelatedTests: true,
    config: {
      // As `npm test` (--ci): a missing snapshot fails instead of being written.
      ci: true,
      ...(only.length > 0 ? { testMatch: only.map((glob) => `<rootDir>/${glob}`) } : {}),
      testPathIgnorePatterns: [
        '/node_modules/',
        // They test the compiled lib/ (which Stryker does not mutate) or the packaging.
        '<rootDir>/test/package/',
        '<rootDir>/test/validation/cdk8s-cli-e2e.test.ts',
        // Hundreds of generated cases, or a child process per case, for every mutant they cover:
        // on 2 cores one folder would take a day. `npx projen test:fuzz` exercises the former.
        '<rootDir>/test/properties/',
        '<rootDir>/test/validation/api-server-rules.property.test.ts',
        '<rootDir>/test/cli/bad-input.test.ts',
      ],
    },
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'src/model/**/*.ts',
    'src/analysis/**/*.ts',
    'src/validation/**/*.ts',
    'src/k8s/**/*.ts',
    // Declarations only (an enum, a table of codes, the wire-format interfaces).
    '!src/model/direction.ts',
    '!src/validation/lint-codes.ts',
    '!src/k8s/manifest.ts',
  ],
  ignorePatterns: ['/lib', '/dist', '/coverage', '/test-reports', '/examples/out', '/.tmp', '/.jsii', '/tsconfig.tsbuildinfo'],
  // A shared 2-core machine slows tests down several times; a real endless loop still ends.
  timeoutMS: 20000,
  dryRunTimeoutMinutes: 15,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 75, break: null },
};
