// The walk view's place in the layout. The walk-view engineer provides the component (D3 walk,
// timeline controls, explanations) and swaps it in at the marked line below; until then a
// placeholder holds the space so the layout does not move when it lands.

function WalkViewPlaceholder() {
  return (
    <div className="placeholder">
      <strong>Walk view</strong>
      <span>
        The animated walk of QEMU's PASID-cache sync and its timeline appear here.
      </span>
    </div>
  );
}

export function WalkViewRegion() {
  return (
    <section className="panel walk-region" aria-label="Walk view">
      {/* WALK VIEW SLOT: render the walk view component here in place of the placeholder. */}
      <WalkViewPlaceholder />
    </section>
  );
}
