// The benchmarks' helpers (latency statistics, CPU accounting) have unit tests of their own.
module.exports = require('../jest.preset.cjs').jestConfig(__dirname);
