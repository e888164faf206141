'use strict';
// Runs every tests/e2e/*.journey.js (or the files named on the command line)
// in one Chromium against BASE_URL, then prints `N passed, M failed`.
//
//   BASE_URL=http://127.0.0.1:8080 node tests/e2e/run.js [file.journey.js ...]

const fs = require('fs');
const path = require('path');
const { runMain } = require('./lib');

const files = process.argv.length > 2
  ? process.argv.slice(2).map((f) => path.resolve(f))
  : fs.readdirSync(__dirname).filter((f) => f.endsWith('.journey.js')).sort().map((f) => path.join(__dirname, f));

const journeys = [];
const loadErrors = [];
for (const file of files) {
  try {
    const j = require(file);
    if (!j || !Array.isArray(j.tests)) throw new Error('module.exports is not a journey (use journey() from lib.js)');
    if (j.tests.length === 0) throw new Error('journey has no tests');
    journeys.push(j);
  } catch (error) {
    console.log(`✘ could not load ${path.relative(process.cwd(), file)}: ${error.stack || error}`);
    loadErrors.push({ file: path.relative(process.cwd(), file), error });
  }
}
if (files.length === 0) loadErrors.push({ file: 'tests/e2e', error: new Error('no *.journey.js file found') });
runMain(journeys, loadErrors);
