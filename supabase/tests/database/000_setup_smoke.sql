begin;
select plan(1);
select has_table('public', 'scheduled_sms_jobs', 'jobs table exists');
select * from finish();
rollback;
