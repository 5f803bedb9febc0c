import type { StatementContext } from '../../session/statement-context.ts';

/** SHOW MODEL's hosting rows (ALTER MODEL m START): status, bounds, and the units of every proxy. */
export async function hostingRows(context: StatementContext, schema: string, model: string): Promise<Array<[string, string]>> {
  const r = await context.upstream.query(
    `SELECT inference_status, min_inference_units, max_inference_units, desired_units, in_service_units
       FROM modelgres.model_hosting_status WHERE schema_name = $1 AND model_name = $2`,
    [schema, model],
  );
  const [status, min, max, desired, inService] = r.rows[0] ?? ['STOPPED', null, null, '0', '0'];
  return [
    ['Inference Status', status ?? 'STOPPED'],
    ['Min Inference Units', min ?? ''],
    ['Max Inference Units', max ?? ''],
    ['Desired Inference Units', desired ?? '0'],
    ['In Service Inference Units', inService ?? '0'],
  ];
}
