// standardwebhooks' declarations name Node's Buffer. The client compiles without Node's types (it
// runs in browsers too) and never hands that package's types to its users, so to this build a
// Buffer is what it is to that package: bytes.
type Buffer = Uint8Array;
