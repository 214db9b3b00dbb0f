// The app shell: header, notices, then three columns — scenario (structures, steps, devices, IOMMU),
// the walk view over the entry editor, and the invalidation composer over the caches.

import { Activity, useCallback, useRef, useState } from 'react';
import { CachesPanel } from './caches/CachesPanel.tsx';
import { ComparePanel } from './compare/ComparePanel.tsx';
import { DebugfsDialog } from './debugfs/DebugfsDialog.tsx';
import { ImportDialog } from './import/ImportDialog.tsx';
import { InvalidationComposer } from './composer/InvalidationComposer.tsx';
import { EntryEditor } from './editor/EntryEditor.tsx';
import { DropZone } from './shell/DropZone.tsx';
import { Header } from './shell/Header.tsx';
import { Notices } from './shell/Notices.tsx';
import { ScenarioLine } from './shell/ScenarioLine.tsx';
import { ShortcutsDialog } from './shell/ShortcutsDialog.tsx';
import { Splitter } from './shell/Splitter.tsx';
import { useShortcuts } from './shell/useShortcuts.ts';
import { Sidebar } from './sidebar/Sidebar.tsx';
import { PredictPanel } from './teaching/PredictPanel.tsx';
import { TourPanel } from './teaching/TourPanel.tsx';
import { WalkOnlyView, WalkViewRegion } from './walk/WalkViewRegion.tsx';
import { useWalkMode } from './walk/walkMode.ts';
import { useAppStore } from '../state/index.ts';

export function App() {
  const [help, setHelp] = useState(false);
  const centre = useRef<HTMLDivElement>(null);
  const chosenWalkFraction = useAppStore((s) => s.walkFraction);
  // With no entry selected the editor only shows a hint, so the walk view takes the room
  // (the splitter still sets the share once an entry is being edited).
  const editing = useAppStore((s) => s.selection !== undefined);
  const walkFraction = editing ? chosenWalkFraction : Math.max(chosenWalkFraction, 0.85);
  const comparing = useAppStore((s) => s.compareOpen);
  // While the walk view has the whole window, the panels under it are hidden (not laid out or
  // painted, their updates put off until they show again): during a playback they would otherwise
  // follow every event behind the walk view.
  const aside = useAppStore((s) => s.walkFullView) ? 'hidden' : 'visible';
  const openHelp = useCallback(() => setHelp(true), []);
  useShortcuts(openHelp);
  const walkMode = useWalkMode();
  if (walkMode !== 'app')
    return (
      <>
        <WalkOnlyView mode={walkMode} />
        {walkMode === 'present' ? <TourPanel floating /> : null}
      </>
    );
  return (
    <div className="app">
      <Activity mode={aside}>
        <div>
          <Header onShowShortcuts={openHelp} />
          <ScenarioLine />
        </div>
      </Activity>
      <TourPanel />
      <Notices />
      <main className="workspace">
        <Activity mode={aside}>
          <Sidebar />
        </Activity>
        <div
          ref={centre}
          className="column column-center"
          style={{ '--walk-fraction': walkFraction } as React.CSSProperties}
        >
          <WalkViewRegion />
          <Activity mode={aside}>
            <Splitter containerRef={centre} />
            <EntryEditor />
          </Activity>
        </div>
        {/* Compare variants takes the right column while it is open (the others stay mounted). */}
        <Activity mode={aside}>
          <div className={`column column-right${comparing ? ' comparing' : ''}`}>
            {comparing ? <ComparePanel /> : null}
            <InvalidationComposer />
            <PredictPanel />
            <CachesPanel />
          </div>
        </Activity>
      </main>
      <DropZone />
      <ImportDialog />
      <DebugfsDialog />
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
