// The walk view's place in the layout: the region the app reserves for it, holding the walk panel
// (D3 walk, timeline, explanation, pseudo-code and cost view); and the walk alone, for presentation
// mode and the embeddable player.

import { WalkPanel } from './WalkPanel.tsx';
import type { WalkMode } from './walkMode.ts';

export function WalkViewRegion() {
  return (
    <section className="panel walk-region" aria-label="Walk view">
      <WalkPanel />
    </section>
  );
}

export function WalkOnlyView({ mode }: { readonly mode: Exclude<WalkMode, 'app'> }) {
  return (
    <main className={`walk-only walk-region mode-${mode}`} aria-label="Walk view">
      <h1 className="walk-sr-only">PASIDscope{mode === 'present' ? ' · presentation' : ''}</h1>
      <WalkPanel mode={mode} />
    </main>
  );
}
