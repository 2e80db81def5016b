/**
 * Registers the built-in backends: 'native' (the addon, preferred when built) and 'js' (the
 * reference). The package entries import this module, so `getBackend()` finds them.
 *
 * @example
 * import './backends/index.js';
 * getBackend().name; // 'native' when the addon is built, else 'js'
 */
import './js/index.js';
import './native/index.js';

export { jsBackend } from './js/index.js';
export { loadNativeBackend, loadNativeAddon, nativeAvailable, nativeRequired } from './native/index.js';
