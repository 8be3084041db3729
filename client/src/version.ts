/** The package's version: the contract's `info.version` (a test holds the three equal). */
export const VERSION = "0.1.0";
