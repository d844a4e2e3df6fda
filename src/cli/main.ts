#!/usr/bin/env node
import * as fs from 'fs';
import { runCliAsync } from './run';

void runCliAsync(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => fs.readFileSync(0),
  stdinStream: () => process.stdin,
  stderrIsTty: process.stderr.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
