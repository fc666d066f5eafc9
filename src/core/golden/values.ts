/**
 * What a human may answer for a judge, derived from the judge's value type: the panel's
 * buttons, the order of categories in confusion matrices, and the check a label passes
 * before it is written.
 */
import type { ValueType } from '../judges/judgeFile';
import type { RatedValue } from './kappa';

/** Number ranges up to this many whole steps get one button per value; wider ones get a number box. */
const MAX_NUMBER_BUTTONS = 10;

/** The values offered as buttons, in order (1, 2, … in the panel); empty for wide number ranges. */
export function valueChoices(value: ValueType): RatedValue[] {
  if (value === 'bool') return [true, false];
  if (value === 'yes/no') return ['yes', 'no'];
  if (value.type === 'categorical') return [...value.categories];
  const { min, max } = value;
  if (!Number.isInteger(min) || !Number.isInteger(max) || max - min + 1 > MAX_NUMBER_BUTTONS) return [];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

/** Why a value does not fit the judge's value type, or undefined when it does. */
export function valueProblem(value: ValueType, actual: unknown): string | undefined {
  if (value === 'bool') return typeof actual === 'boolean' ? undefined : `expected true or false, got ${JSON.stringify(actual)}`;
  if (value === 'yes/no') return actual === 'yes' || actual === 'no' ? undefined : `expected "yes" or "no", got ${JSON.stringify(actual)}`;
  if (value.type === 'categorical') {
    return typeof actual === 'string' && value.categories.includes(actual) ? undefined : `expected one of ${value.categories.join(', ')}, got ${JSON.stringify(actual)}`;
  }
  return typeof actual === 'number' && actual >= value.min && actual <= value.max ? undefined : `expected a number from ${value.min} to ${value.max}, got ${JSON.stringify(actual)}`;
}
