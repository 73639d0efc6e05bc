-- The out-of-band triggers fire only for writes outside an apply. track_out_of_band already
-- returned at once inside an apply (plumb.sync_run set), but only after PostgreSQL had queued an
-- AFTER ROW event for every row the apply wrote and the function had turned OLD and NEW into
-- jsonb: at 100k resources about a sixth of an apply. The same condition as a WHEN clause is
-- checked as the row is written, and nothing is queued. Otherwise as in 0001/0002.
DROP TRIGGER tenants_out_of_band ON @schema@.tenants;
DROP TRIGGER roles_out_of_band ON @schema@.roles;
DROP TRIGGER workspaces_out_of_band ON @schema@.workspaces;
DROP TRIGGER pipelines_out_of_band ON @schema@.pipelines;
DROP TRIGGER api_tokens_out_of_band ON @schema@.api_tokens;

CREATE TRIGGER tenants_out_of_band AFTER INSERT OR UPDATE OR DELETE ON @schema@.tenants
  FOR EACH ROW WHEN (coalesce(current_setting('plumb.sync_run', true), '') = '')
  EXECUTE FUNCTION @schema@.track_out_of_band('Tenant', 'tenant');
CREATE TRIGGER roles_out_of_band AFTER INSERT OR UPDATE OR DELETE ON @schema@.roles
  FOR EACH ROW WHEN (coalesce(current_setting('plumb.sync_run', true), '') = '')
  EXECUTE FUNCTION @schema@.track_out_of_band('Role', 'role');
CREATE TRIGGER workspaces_out_of_band AFTER INSERT OR UPDATE OR DELETE ON @schema@.workspaces
  FOR EACH ROW WHEN (coalesce(current_setting('plumb.sync_run', true), '') = '')
  EXECUTE FUNCTION @schema@.track_out_of_band('Workspace', 'workspace');
CREATE TRIGGER pipelines_out_of_band AFTER INSERT OR UPDATE OR DELETE ON @schema@.pipelines
  FOR EACH ROW WHEN (coalesce(current_setting('plumb.sync_run', true), '') = '')
  EXECUTE FUNCTION @schema@.track_out_of_band('Pipeline', 'pipeline');
CREATE TRIGGER api_tokens_out_of_band AFTER INSERT OR UPDATE OR DELETE ON @schema@.api_tokens
  FOR EACH ROW WHEN (coalesce(current_setting('plumb.sync_run', true), '') = '')
  EXECUTE FUNCTION @schema@.track_out_of_band('ApiToken', 'token');
