export {
  addBreakdowns,
  COST_COMPONENTS,
  type CostComponent,
  makeBreakdown,
  multiplyBreakdown,
} from './breakdown.js';
export {
  type Decimal,
  discountDecimal,
  formatDecimal,
  multiplyDecimals,
  normalizeDecimal,
  parseDecimal,
} from './decimal.js';
export {
  costNanos,
  divideRoundHalfUp,
  formatNanos,
  MONEY_SCALE,
  NANOS_PER_UNIT,
  nanosFromDecimalText,
  nanosOfRatio,
  nanosToNumber,
  parseNanos,
  sumNanos,
} from './nanos.js';
