// Drop a file anywhere on the page to import it: a scenario file loads at once; a debugfs dump or a
// QEMU trace log (told by content) opens the import dialog.

import { useEffect, useState } from 'react';
import { useAppStore } from '../../state/index.ts';

function hasFiles(e: DragEvent): boolean {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}

export function DropZone() {
  const importFile = useAppStore((s) => s.importFile);
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const overFn = (e: DragEvent): void => {
      if (hasFiles(e)) e.preventDefault();
    };
    const leave = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const drop = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const file = e.dataTransfer?.files[0];
      if (file) void file.text().then((text) => importFile(text, file.name));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overFn);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [importFile]);
  return over ? (
    <div className="drop-overlay">
      <div>
        <div>Drop a scenario file to import it</div>
        <span className="drop-more">or a guest’s debugfs dump, or a QEMU trace log</span>
      </div>
    </div>
  ) : null;
}
