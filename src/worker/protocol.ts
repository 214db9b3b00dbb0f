// The typed API the simulation worker exposes (filled in by the app issue).
export const PROTOCOL_VERSION = 1;
