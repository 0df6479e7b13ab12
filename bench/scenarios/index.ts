import type { Scenario } from '../lib.js';
import { davScenario } from './dav.js';
import { drivesScenario } from './drives.js';
import { ocsScenario } from './ocs.js';
import { opsScenario } from './ops.js';
import { roundTripsScenario } from './round-trips.js';
import { sharesScenario } from './shares.js';
import { signinScenario } from './signin.js';
import { webScenario } from './web.js';

/** Every scenario group, in run order. A new group is one module here plus one line in this list. */
export const SCENARIOS: Scenario[] = [ocsScenario, drivesScenario, davScenario, sharesScenario, roundTripsScenario, signinScenario, webScenario, opsScenario];
