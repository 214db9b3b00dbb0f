// The left column: the scenario's structures, its steps, its devices and the IOMMU settings.

import type { KeyboardEvent } from 'react';
import { type SidebarTab, useAppStore } from '../../state/index.ts';
import { DevicesPanel } from './DevicesPanel.tsx';
import { IommuSettings } from './IommuSettings.tsx';
import { HostFaultsEditor } from './HostFaultsEditor.tsx';
import { StepsList } from './StepsList.tsx';
import { StructureBrowser } from './StructureBrowser.tsx';

const TABS: readonly { id: SidebarTab; label: string }[] = [
  { id: 'structures', label: 'Structures' },
  { id: 'steps', label: 'Steps' },
  { id: 'devices', label: 'Devices' },
  { id: 'iommu', label: 'IOMMU' },
];

export function Sidebar() {
  const tab = useAppStore((s) => s.sidebarTab);
  const setTab = useAppStore((s) => s.setSidebarTab);
  const stepCount = useAppStore((s) => s.scenario.steps.length);
  const deviceCount = useAppStore((s) => s.scenario.devices.length);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const i = TABS.findIndex((t) => t.id === tab);
    let next: number;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
    else return;
    e.preventDefault();
    const t = TABS[next];
    if (t) {
      setTab(t.id);
      document.getElementById(`tab-${t.id}`)?.focus();
    }
  };

  return (
    <section className="panel sidebar" aria-label="Scenario">
      <div className="tabs" role="tablist" aria-label="Scenario views" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === 'steps' ? <span className="count">{stepCount}</span> : null}
            {t.id === 'devices' ? <span className="count">{deviceCount}</span> : null}
          </button>
        ))}
      </div>
      <div
        id={`tabpanel-${tab}`}
        role="tabpanel"
        aria-labelledby={`tab-${tab}`}
        style={{
          display: 'flex',
          flexDirection: 'column',
          minHeight: 0,
          flex: '1 1 auto',
          overflow: tab === 'structures' ? 'hidden' : 'auto',
        }}
      >
        {tab === 'structures' ? <StructureBrowser /> : null}
        {tab === 'steps' ? (
          <>
            <StepsList />
            <HostFaultsEditor />
          </>
        ) : null}
        {tab === 'devices' ? <DevicesPanel /> : null}
        {tab === 'iommu' ? <IommuSettings /> : null}
      </div>
    </section>
  );
}
