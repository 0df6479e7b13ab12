/** One dependency the server needs before it can serve: what it is and, when it fails, why. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  reason?: string;
}

/** Runs every readiness check (database, migrations, data directory); cheap enough to poll every second. */
export type ReadinessProbe = () => Promise<ReadinessCheck[]>;
