/**
 * The package's version, as package.json states it: what `polytask --version` prints and the first
 * part of the code version a distributed job carries.
 *
 * @example
 * PACKAGE_VERSION; // '0.1.0'
 */
export const PACKAGE_VERSION = '0.1.0';
