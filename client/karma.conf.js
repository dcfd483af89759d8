// Karma for the client's unit tests: headless Debian Chromium with fake media
// devices, and a small reporter that leaves the counts for tools/test.mjs.
const { writeFileSync } = require('node:fs');

const CHROMIUM_FLAGS = require('../tools/chromium-flags.cjs');

function CountsReporter(baseReporterDecorator) {
  baseReporterDecorator(this);
  const counts = { passed: 0, failed: 0 };
  this.onSpecComplete = (_browser, result) => {
    if (result.skipped) return;
    if (result.success) counts.passed++;
    else counts.failed++;
  };
  this.onRunComplete = (_browsers, results) => {
    if (results.error && counts.failed === 0) counts.failed = 1;
    if (process.env.RAUM_KARMA_COUNTS) writeFileSync(process.env.RAUM_KARMA_COUNTS, JSON.stringify(counts));
  };
}
CountsReporter.$inject = ['baseReporterDecorator'];

module.exports = function (config) {
  config.set({
    frameworks: ['jasmine'],
    plugins: [require('karma-jasmine'), require('karma-chrome-launcher'), { 'reporter:counts': ['type', CountsReporter] }],
    reporters: ['progress', 'counts'],
    browsers: ['ChromiumHeadlessRaum'],
    customLaunchers: {
      ChromiumHeadlessRaum: { base: 'ChromeHeadless', flags: CHROMIUM_FLAGS },
    },
    client: { jasmine: { random: true } },
    singleRun: true,
    restartOnFileChange: false,
    // A busy shared machine can stall the headless browser for seconds; that is not a failed test.
    pingTimeout: 30_000,
    browserDisconnectTimeout: 30_000,
    browserNoActivityTimeout: 120_000,
  });
};
