import type { Scenario } from '../lib.js';
import { bulkScenario } from './bulk.js';
import { davScenario } from './dav.js';
import { drivesScenario } from './drives.js';
import { jwtScenario } from './jwt.js';
import { ocsScenario } from './ocs.js';
import { opsScenario } from './ops.js';
import { previewsScenario } from './previews.js';
import { roundTripsScenario } from './round-trips.js';
import { s3Scenario } from './s3.js';
import { searchScenario } from './search.js';
import { sharesScenario } from './shares.js';
import { signinScenario } from './signin.js';
import { versionsScenario } from './versions.js';
import { webScenario } from './web.js';

/** Every scenario group, in run order. A new group is one module here plus one line in this list. */
export const SCENARIOS: Scenario[] = [ocsScenario, drivesScenario, davScenario, bulkScenario, sharesScenario, previewsScenario, searchScenario, roundTripsScenario, signinScenario, jwtScenario, versionsScenario, webScenario, opsScenario, s3Scenario];
