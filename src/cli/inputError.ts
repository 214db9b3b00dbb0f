// Bad input (usage, a missing or unreadable file, an invalid scenario or import): main() prints
// the message as one line on stderr and exits 2. Anything else that is thrown is our bug (exit 1).
export class InputError extends Error {}
