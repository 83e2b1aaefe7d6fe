// The thread budget (src/threads.js): models running at once never ask for more threads than there are cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { threadBudget } from '../src/threads.js';

test('two models on 2 cores get one thread each; alone, a model gets both', () => {
  assert.equal(threadBudget(2, true, 2), 1);
  assert.equal(threadBudget(2, true, 1), 2);
});

test('shares are whole threads, at least 1 and at most 4', () => {
  assert.equal(threadBudget(3, true, 2), 1);
  assert.equal(threadBudget(8, true, 2), 4);
  assert.equal(threadBudget(16, true, 2), 4);
  assert.equal(threadBudget(16, true, 1), 4);
  assert.equal(threadBudget(1, true, 2), 1, 'one core: still one thread each');
});

test('together never more than the cores, whenever there is a core per model', () => {
  for (let cores = 1; cores <= 32; cores++) {
    for (let models = 1; models <= cores; models++) {
      assert.ok(threadBudget(cores, true, models) * models <= cores, `${cores} cores, ${models} models`);
    }
  }
});

test('without cross-origin isolation there are no threads', () => {
  assert.equal(threadBudget(8, false, 1), 1);
  assert.equal(threadBudget(undefined, true, 1), 1, 'unknown core count: one');
});
