// A descriptor in words, by its fields: the app's step list, the mail report and the CLI use it.

import { fieldByName, getField } from '../bits/bitFields.ts';
import {
  CC_GRANULARITY_NAMES,
  CONTEXT_CACHE_DESC,
  PASID_CACHE_DESC,
  WAIT_DESC,
} from '../bits/structures.ts';
import { DESCRIPTOR_TYPE_TITLES, descriptorTypeCode } from '../invalidation/descriptorType.ts';

const PC_G = fieldByName(PASID_CACHE_DESC, 'granularity');
const PC_DID = fieldByName(PASID_CACHE_DESC, 'did');
const PC_PASID = fieldByName(PASID_CACHE_DESC, 'pasid');
const CC_G = fieldByName(CONTEXT_CACHE_DESC, 'granularity');
const CC_DID = fieldByName(CONTEXT_CACHE_DESC, 'did');
const CC_SID = fieldByName(CONTEXT_CACHE_DESC, 'sid');
const W_SW = fieldByName(WAIT_DESC, 'sw');
const W_DATA = fieldByName(WAIT_DESC, 'statusData');

export function sidToBdf(sid: number): string {
  const bus = (sid >> 8) & 0xff;
  const dev = (sid >> 3) & 0x1f;
  const fn = sid & 7;
  return `${bus.toString(16).padStart(2, '0')}:${dev.toString(16).padStart(2, '0')}.${fn}`;
}

/** One line naming a descriptor by its fields ("PASID-cache, PASID-selective, DID 3, PASID 5"). */
export function describeDescriptor(desc: readonly bigint[]): string {
  const type = descriptorTypeCode(desc[0] ?? 0n);
  switch (type) {
    case 7: {
      const g = Number(getField(desc, PC_G));
      const did = getField(desc, PC_DID);
      const pasid = getField(desc, PC_PASID);
      if (g === 0) return `PASID-cache, domain-selective, DID ${did}`;
      if (g === 1) return `PASID-cache, PASID-selective, DID ${did}, PASID ${pasid}`;
      if (g === 3) return 'PASID-cache, global';
      return 'PASID-cache, reserved granularity 2';
    }
    case 1: {
      const g = Number(getField(desc, CC_G));
      const name = CC_GRANULARITY_NAMES[g] ?? String(g);
      if (g === 2) return `context-cache, ${name}, DID ${getField(desc, CC_DID)}`;
      if (g === 3) return `context-cache, ${name}, ${sidToBdf(Number(getField(desc, CC_SID)))}`;
      return `context-cache, ${name}`;
    }
    case 5: {
      const sw = getField(desc, W_SW) === 1n;
      return sw
        ? `invalidation-wait, status write 0x${getField(desc, W_DATA).toString(16)}`
        : 'invalidation-wait';
    }
    default:
      return DESCRIPTOR_TYPE_TITLES[type] ?? `unknown descriptor type ${type}`;
  }
}
