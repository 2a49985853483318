import { Type } from 'typebox';

// Usage history (SPEC §10). Dates are checked by the service (services/usage-range.ts), which tells a
// day that does not exist from a range that is too long, each with its own code.
const Day = Type.String({ maxLength: 32, description: 'Asia/Jakarta calendar day, YYYY-MM-DD' });

export const UsageQuery = Type.Object({
  from: Type.Optional({ ...Day, description: 'First day (included); default: 29 days before `to`' }),
  to: Type.Optional({ ...Day, description: 'Last day (included); default: today in Asia/Jakarta' }),
  session_id: Type.Optional(Type.String({ maxLength: 128, description: 'One session (also a deleted one); default: all' })),
});

const SentFailed = Type.Object({ sent: Type.Integer(), failed: Type.Integer() });
const UsageDay = Type.Object({
  date: Type.String({ description: 'YYYY-MM-DD, Asia/Jakarta' }),
  sent: Type.Integer(),
  failed: Type.Integer(),
  received: Type.Integer(),
  by_type: Type.Record(Type.String(), SentFailed, { description: 'Sends of the day by message type' }),
});
export const UsageReport = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(UsageDay, { description: 'Every day of the range, zeros included' }),
  totals: Type.Object({ sent: Type.Integer(), failed: Type.Integer(), received: Type.Integer() }),
});

export const UsageTotalsQuery = Type.Object({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  source: Type.Optional(Type.String({ maxLength: 64, description: 'A scoped key always gets its own source' })),
  page: Type.Integer({ minimum: 1, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: as `Accept: text/csv`' })),
});
const UsageTotalsItem = Type.Object({
  user_id: Type.String(),
  source_service: Type.String(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  received: Type.Integer(),
});
export const UsageTotalsPage = Type.Object({
  items: Type.Array(UsageTotalsItem),
  meta: Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
});
export const UsageCsv = Type.String({
  description: 'user_id,source_service,from,to,sent,failed,received — every matching user, page and limit ignored',
});

const Counts = Type.Object({ sent: Type.Integer(), failed: Type.Integer(), received: Type.Integer() });
export const Overview = Type.Object({
  source: Type.String({ description: 'The source shown; empty for all' }),
  today: Type.String({ description: 'YYYY-MM-DD, Asia/Jakarta' }),
  users: Type.Record(Type.String(), Type.Integer(), { description: 'Users by status' }),
  sessions: Type.Object({
    connected: Type.Integer(),
    disconnected: Type.Integer(),
    by_health: Type.Optional(Type.Record(Type.String(), Type.Integer(), { description: 'Sessions by health, where tracked' })),
  }),
  messages: Type.Object({
    today: Counts,
    this_month: Counts,
    days: Type.Array(Type.Object({ date: Type.String(), sent: Type.Integer(), failed: Type.Integer(), received: Type.Integer() })),
  }),
  top_users: Type.Array(UsageTotalsItem, { description: 'The 10 users who sent the most this month' }),
  webhooks: Type.Object({
    pending: Type.Integer(),
    retrying: Type.Integer(),
    failed: Type.Integer({ description: 'Given up in the last 24 h' }),
  }),
});
