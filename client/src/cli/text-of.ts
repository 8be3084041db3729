/** Byte order marks, and the encodings they announce. */
const MARKS: [number[], string][] = [
  [[0xff, 0xfe], "utf-16le"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xef, 0xbb, 0xbf], "utf-8"],
];

/** A file's text: in the encoding its byte order mark announces (Excel's "Unicode text" is UTF-16), else UTF-8. */
export function textOf(bytes: Uint8Array): { text: string; marked: boolean } {
  const mark = MARKS.find(([bytesOfMark]) => bytesOfMark.every((byte, i) => bytes[i] === byte));
  // TextDecoder leaves the mark out of the text.
  return { text: new TextDecoder(mark?.[1] ?? "utf-8").decode(bytes), marked: mark !== undefined };
}
