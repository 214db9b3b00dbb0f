// The walk view's place in the layout: the region the app reserves for it, holding the walk panel
// (D3 walk, timeline, explanation, pseudo-code and cost view).

import { WalkPanel } from './WalkPanel.tsx';

export function WalkViewRegion() {
  return (
    <section className="panel walk-region" aria-label="Walk view">
      <WalkPanel />
    </section>
  );
}
