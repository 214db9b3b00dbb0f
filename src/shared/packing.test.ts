import { describe, expect, it } from 'vitest';
import type { Scenario } from '../model/index.ts';
import { packScenario, packScenarioSync, scenarioJson, unpackScenarioText } from './packing.ts';

function scenarioWithWords(n: number): Scenario {
  const qwords: bigint[] = [];
  for (let i = 0; i < n; i++) qwords.push(BigInt(i) * 0x1001n);
  return {
    variant: 'seed',
    iommu: {
      scalableMode: true,
      fsts: true,
      pasidBits: 20,
      awBits: 48,
      queueWidth: 256,
      rootTableAddr: 0x1000n,
      rootScalable: true,
      dmarEnabled: true,
      guestRamBytes: 0x4000_0000n,
    },
    devices: [],
    memory: [{ addr: 0x10_0000n, qwords }],
    steps: [],
  };
}

describe('packing scenarios for browser storage', () => {
  it('small scenarios use lz-string, and unpack to the same file text', async () => {
    const s = scenarioWithWords(10);
    const packed = await packScenario(s);
    expect(packed.startsWith('lz16:')).toBe(true);
    expect(packed).toBe(packScenarioSync(s));
    expect(await unpackScenarioText(packed)).toBe(scenarioJson(s));
  });

  it('large scenarios are deflated, and unpack to the same file text', async () => {
    const s = scenarioWithWords(20_000);
    const packed = await packScenario(s);
    expect(packed.startsWith('z64:')).toBe(true);
    expect(packed.length).toBeLessThan(scenarioJson(s).length / 2);
    expect(await unpackScenarioText(packed)).toBe(scenarioJson(s));
  });

  it('a damaged record unpacks to nothing', async () => {
    expect(await unpackScenarioText('z64:%%%')).toBeUndefined();
    expect(await unpackScenarioText('lz16:')).toBeUndefined();
    expect(await unpackScenarioText('plain')).toBeUndefined();
  });
});
