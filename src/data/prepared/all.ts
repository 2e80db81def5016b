/**
 * Imports every preparable data set, so that each registers itself (registry.ts). A new data set is
 * one file in this folder and one line here.
 *
 * @example
 * import './all.js';
 */
import './brown.js';
import './clipart.js';
import './fortunes.js';
import './spam.js';
import './spoken-digits.js';
import './wordnet.js';

export {};
