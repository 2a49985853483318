import { Type } from 'typebox';
import { DateTime, Nullable } from '../schemas.js';

export const Delivery = Type.Object({
  id: Type.Integer(),
  event_id: Type.String(),
  event_type: Type.String(),
  url: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  next_attempt_at: Nullable(DateTime),
  created_at: DateTime,
  delivered_at: Nullable(DateTime),
});
export const DeliveryReply = Type.Object({ delivery: Delivery });
export const DeliveryList = Type.Object({ deliveries: Type.Array(Delivery) });
export const DeliveryListQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) });
export const DeliveryParams = Type.Object({
  session_id: Type.String({ minLength: 1, maxLength: 128 }),
  delivery_id: Type.Integer({ minimum: 1 }),
});
