/** "Did you mean": the edit-distance rule for suggesting a known key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestKey, editDistance, tolerance, unknownKeyText } from '../../src/config/index.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('epoch', 'epochs'), 1);
  assert.equal(editDistance('widht', 'width'), 1);
  assert.equal(editDistance('sezis', 'sizes'), 2);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('a key is suggested within 1 edit for short known keys, 2 for longer ones; case is ignored', () => {
  assert.equal(tolerance('lr'), 1);
  assert.equal(tolerance('seeds'), 1);
  assert.equal(tolerance('epochs'), 2);
  assert.equal(closestKey('l', ['lr']), 'lr');
  assert.equal(closestKey('sed', ['seed', 'seeds']), 'seed');
  assert.equal(closestKey('sezis', ['sizes']), undefined);
  assert.equal(closestKey('methodz', ['epochs', 'methods']), 'methods');
  assert.equal(closestKey('mehtodz', ['methods']), 'methods');
  assert.equal(closestKey('BATCHSIZE', ['batchSize']), 'batchSize');
  assert.equal(closestKey('depth', ['arch', 'channels', 'hidden', 'batchNorm']), undefined);
  assert.equal(closestKey('ab', ['ax', 'ay']), 'ax', 'ties go to the key listed first');
  assert.equal(closestKey('epochs', []), undefined);
});

test('the message suggests, lists the allowed keys, or just names the key', () => {
  assert.equal(unknownKeyText('epoch', ['epochs', 'seed']), 'unknown key "epoch"; did you mean "epochs"?');
  assert.equal(unknownKeyText('colour', ['epochs', 'seed']), 'unknown key "colour"; allowed: epochs, seed');
  assert.equal(unknownKeyText('x', []), 'unknown key "x"');
});
