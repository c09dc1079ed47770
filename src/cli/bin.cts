#!/usr/bin/env node
// The CLI's entry: CommonJS, so that the process is set up before any ES module is loaded.
import settings = require('./process-settings.cjs');

settings.sizeThreadPool();
settings.tuneV8();
void import('./main.js');
