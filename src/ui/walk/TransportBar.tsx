// The transport buttons, drawn from the walk's command table (walkKeys.ts), so a button, its key and
// its line in the shortcuts dialog cannot disagree.

import { PLAYBACK_SPEEDS } from '../../state/index.ts';
import { TransportIcon } from './TransportIcon.tsx';
import { WALK_KEYS, type WalkActions } from './walkKeys.ts';

export interface TransportBarProps {
  readonly actions: WalkActions;
  readonly playing: boolean;
  readonly speed: number;
  readonly onSpeed: (speed: number) => void;
  readonly disabled: boolean;
}

export function TransportBar({ actions, playing, speed, onSpeed, disabled }: TransportBarProps) {
  return (
    <>
      {WALK_KEYS.map((k) => {
        if (!k.button) return null;
        const play = k.command === 'togglePlay';
        const label = play ? (playing ? 'Pause' : 'Play') : k.button.label;
        return (
          <button
            key={k.command}
            type="button"
            className={play ? 'walk-play' : undefined}
            onClick={actions[k.command]}
            aria-label={label}
            title={`${label} (${k.keyLabel})`}
            disabled={disabled}
          >
            <TransportIcon name={play && playing ? 'pause' : k.button.icon} />
            {play ? <span className="walk-play-label">{label}</span> : null}
          </button>
        );
      })}
      <label className="walk-speed">
        <span className="walk-speed-label">Speed</span>{' '}
        <select
          aria-label="Speed"
          value={String(speed)}
          onChange={(e) => onSpeed(Number(e.target.value))}
        >
          {PLAYBACK_SPEEDS.map((s) => (
            <option key={s} value={String(s)}>
              {`${String(s)}×`}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
