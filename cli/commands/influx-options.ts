/** The --influx-* flags shared by `report` (and usable by `run`); each has a WIRESPEED_INFLUX_* variable. */
import type { Argv } from 'yargs';
import { INFLUX_ENV } from '../../reports/influx/config.ts';

export interface InfluxArgs {
  influxUrl?: string | undefined;
  influxApi?: string | undefined;
  influxToken?: string | undefined;
  influxOrg?: string | undefined;
  influxBucket?: string | undefined;
  influxDb?: string | undefined;
  influxUser?: string | undefined;
  influxPassword?: string | undefined;
}

export function influxOptions<T>(y: Argv<T>): Argv<T & InfluxArgs> {
  return y
    .option('influx-url', { type: 'string', group: 'InfluxDB:', describe: `InfluxDB / VictoriaMetrics URL (${INFLUX_ENV.url})` })
    .option('influx-api', { type: 'string', group: 'InfluxDB:', choices: ['v1', 'v2'], describe: `v2: /api/v2/write (InfluxDB 2.x/3.x, VictoriaMetrics); v1: /write?db= (InfluxDB 1.x) (${INFLUX_ENV.api}; default v1 when a db is given)` })
    .option('influx-token', { type: 'string', group: 'InfluxDB:', describe: `API token; prefer ${INFLUX_ENV.token} (flags show in ps)` })
    .option('influx-org', { type: 'string', group: 'InfluxDB:', describe: `organisation (${INFLUX_ENV.org})` })
    .option('influx-bucket', { type: 'string', group: 'InfluxDB:', describe: `bucket (${INFLUX_ENV.bucket})` })
    .option('influx-db', { type: 'string', group: 'InfluxDB:', describe: `InfluxDB 1.x database (${INFLUX_ENV.db})` })
    .option('influx-user', { type: 'string', group: 'InfluxDB:', describe: `InfluxDB 1.x user (${INFLUX_ENV.username})` })
    .option('influx-password', { type: 'string', group: 'InfluxDB:', describe: `InfluxDB 1.x password; prefer ${INFLUX_ENV.password}` }) as Argv<T & InfluxArgs>;
}
