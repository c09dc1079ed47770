#!/usr/bin/env node
// The CLI's entry: CommonJS, so that the thread pool is sized before any ES module is loaded.
import threadPool = require('./thread-pool.cjs');

threadPool.sizeThreadPool();
void import('./main.js');
