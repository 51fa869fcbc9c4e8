import type { Clock } from '@ballast/common';
import type { Fleet } from '../core/fleet.ts';
import type { SpotMarket } from '../market/spot-market.ts';
import type { QueryParams } from './query-parser.ts';
import type { Ec2State } from './state.ts';
import type { XmlValue } from './xml.ts';

/** What an action handler sees of one request. */
export interface Ec2Context {
  action: string;
  params: QueryParams;
  fleet: Fleet;
  market: SpotMarket;
  clock: Clock;
  state: Ec2State;
}

/** Returns the response's elements below `<requestId>`, or throws an Ec2Error. */
export type ActionHandler = (ctx: Ec2Context) => Record<string, XmlValue>;
