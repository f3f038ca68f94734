import { sdkError, type UsageRepository } from '../../../core/index.js';
import { requireId, requireScope, type StoreContext } from '../store-context.js';

/** Usage counters per org, period and metric; an increment is one atomic upsert. */
export function usageRepository(ctx: StoreContext): UsageRepository {
  const { Usage } = ctx.db.entities;
  return {
    increment(scope, period, metric, amount) {
      return ctx.work('usage.increment', async () => {
        const orgId = requireScope(scope, 'usage.increment');
        requireId('usage period', period);
        requireId('usage metric', metric);
        if (typeof amount !== 'number' || !Number.isFinite(amount)) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'usage amount', reason: `expected a finite number, found ${JSON.stringify(amount)}`, fix: 'Pass the amount to add (tokens, calls, dollars, ...)' });
        }
        await ctx.rows(
          'insert into usage_counters (org_id, period, metric, value) values (?, ?, ?, ?) on conflict (org_id, period, metric) do update set value = usage_counters.value + excluded.value',
          [orgId, period, metric, amount],
        );
      });
    },
    get(scope, period) {
      return ctx.work('usage.get', async (em) => {
        const rows = await em.find(Usage, { orgId: requireScope(scope, 'usage.get'), period }, { orderBy: { metric: 'asc' } });
        return rows.map((r) => ({ orgId: r.orgId, period: r.period, metric: r.metric, value: Number(r.value) }));
      });
    },
  };
}
