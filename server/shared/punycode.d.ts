// punycode.js (the userland package, not Node's deprecated built-in) ships no types.
declare module "punycode/punycode.js" {
  const punycode: {
    /** RFC 3492: a label's Basic string to Unicode; throws on an invalid one. */
    decode(input: string): string;
    /** RFC 3492: a Unicode label to its Basic string (without the `xn--` prefix). */
    encode(input: string): string;
  };
  export default punycode;
}
