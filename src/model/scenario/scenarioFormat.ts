// The file format's name and version, apart from the schema (which needs zod), so that writing a
// scenario file (share links, autosave) does not load the parser.

export const SCENARIO_FORMAT = 'pasidscope-scenario';
export const SCENARIO_VERSION = 1;
