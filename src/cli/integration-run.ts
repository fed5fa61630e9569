import { presentRun, type Integration } from '../contexts/integration/index.js';
import type { Platform } from '../platform/platform.js';
import type { CliContext } from './command.js';

type RunRow = Parameters<typeof presentRun>[0];

/**
 * Starts an integration run (the same job the web app starts) and works it in this process,
 * printing a progress line per batch on stderr; the finished run is the command's JSON. A run
 * left half-done (crash, Ctrl-C) is resumed by the worker, or by the same command run again.
 */
export async function runIntegrationJob(ctx: CliContext, tenantRef: string, start: (integration: Integration, tenantId: string, platform: Platform) => Promise<RunRow>) {
  const platform = await ctx.platform();
  const { accounts, integration } = await ctx.contexts();
  const tenantId = (await accounts.service.findTenant(tenantRef)).id;
  const run = await start(integration, tenantId, platform);
  const label = run.kind.replace('_', ' ');
  ctx.progress(`${label}: run ${run.id} started`);
  let last = '';
  const finished = await integration.runs.execute(run.id, {
    follow: true, // a worker that took the job first works it; the command shows its progress
    onProgress(r) {
      const view = presentRun(r);
      const line = `${label}: ${view.done}/${view.total} (${view.percent}%) created ${view.created}, updated ${view.updated}, skipped ${view.skipped}, failed ${view.failed}`;
      if (line !== last) ctx.progress(line);
      last = line;
    },
  });
  const view = presentRun(finished);
  ctx.progress(`${label}: ${view.status}, ${view.done}/${view.total}`);
  return view;
}
