// The walk view's commands in one table: the transport bar draws its buttons from it, the keyboard
// hook maps keys through it, and the shortcuts dialog lists it. One place to add a command.

import type { TransportIconName } from './TransportIcon.tsx';

export type WalkCommand =
  | 'jumpStart'
  | 'previousInteresting'
  | 'stepBack'
  | 'togglePlay'
  | 'stepForward'
  | 'nextInteresting'
  | 'jumpEnd'
  | 'faster'
  | 'slower'
  | 'previousStep'
  | 'nextStep'
  | 'togglePresent'
  | 'leave';

export type WalkActions = Readonly<Record<WalkCommand, () => void>>;

export interface WalkKey {
  readonly command: WalkCommand;
  /** KeyboardEvent.key values that run it. */
  readonly keys: readonly string[];
  /** How the key reads in a tooltip and in the shortcuts list. */
  readonly keyLabel: string;
  /** What it does, for the shortcuts list. */
  readonly description: string;
  /** Drawn as a transport button, with this name and icon. */
  readonly button?: { readonly label: string; readonly icon: TransportIconName };
}

export const WALK_KEYS: readonly WalkKey[] = [
  {
    command: 'jumpStart',
    keys: ['Home'],
    keyLabel: 'Home',
    description: 'First event',
    button: { label: 'Jump to start', icon: 'start' },
  },
  {
    command: 'previousInteresting',
    keys: [','],
    keyLabel: ',',
    description: 'Previous interesting event (a change, mismatch, fault or clamp)',
    button: { label: 'Previous interesting event', icon: 'previous-interesting' },
  },
  {
    command: 'stepBack',
    keys: ['ArrowLeft'],
    keyLabel: '←',
    description: 'Step back one event',
    button: { label: 'Step back', icon: 'back' },
  },
  {
    command: 'togglePlay',
    keys: [' '],
    keyLabel: 'Space',
    description: 'Play / pause the walk',
    button: { label: 'Play', icon: 'play' },
  },
  {
    command: 'stepForward',
    keys: ['ArrowRight'],
    keyLabel: '→',
    description: 'Step forward one event',
    button: { label: 'Step forward', icon: 'forward' },
  },
  {
    command: 'nextInteresting',
    keys: ['.'],
    keyLabel: '.',
    description: 'Next interesting event',
    button: { label: 'Next interesting event', icon: 'next-interesting' },
  },
  {
    command: 'jumpEnd',
    keys: ['End'],
    keyLabel: 'End',
    description: 'Last event',
    button: { label: 'Jump to end', icon: 'end' },
  },
  { command: 'faster', keys: ['+', '='], keyLabel: '+', description: 'Faster playback' },
  { command: 'slower', keys: ['-', '_'], keyLabel: '−', description: 'Slower playback' },
  {
    command: 'previousStep',
    keys: ['PageUp'],
    keyLabel: 'PgUp',
    description: 'Previous scenario step',
  },
  { command: 'nextStep', keys: ['PageDown'], keyLabel: 'PgDn', description: 'Next scenario step' },
  {
    command: 'togglePresent',
    keys: ['p', 'P'],
    keyLabel: 'P',
    description: 'Presentation mode on / off',
  },
  {
    command: 'leave',
    keys: ['Escape'],
    keyLabel: 'Esc',
    description: 'Leave full view or presentation mode',
  },
];

const BY_KEY: ReadonlyMap<string, WalkCommand> = new Map(
  WALK_KEYS.flatMap((k) => k.keys.map((key) => [key, k.command] as const)),
);

export function commandForKey(key: string): WalkCommand | undefined {
  return BY_KEY.get(key);
}

/** Rows for the shortcuts dialog: key, what it does (in the walk view). */
export const WALK_SHORTCUT_ROWS: readonly (readonly [string, string])[] = WALK_KEYS.map((k) => [
  `${k.keyLabel} (walk view)`,
  k.description,
]);
