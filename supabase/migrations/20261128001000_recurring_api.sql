-- GET jobs?kind=recurring|all lists a workspace's schedules newest first by start_at (ties by id)
-- with keyset pagination, merged with its jobs (scheduled_sms_jobs_workspace_idx serves their
-- order): this index serves the schedules' side the same way.
create index recurring_sms_schedules_workspace_start_idx
  on public.recurring_sms_schedules (workspace_id, start_at desc, id desc);
