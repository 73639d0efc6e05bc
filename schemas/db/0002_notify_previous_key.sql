-- An out-of-band UPDATE that changes a row's key (a rename, or a move to another tenant or
-- workspace) also names the key the row had, as `previous`: a listener that re-reads only the
-- rows it is told about (the operator's drift on NOTIFY) must look at the old key too, or the
-- resource that vanished from it would go unreported. Otherwise as in 0001.
CREATE OR REPLACE FUNCTION @schema@.track_out_of_band() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  before_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) - 'secret_hash' - 'pending_secret' END;
  after_row  jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) - 'secret_hash' - 'pending_secret' END;
  key_row    jsonb := coalesce(after_row, before_row);
  op         text := lower(TG_OP);
  tenant     text := CASE WHEN TG_ARGV[0] = 'Tenant' THEN '' ELSE coalesce(key_row->>'tenant', '') END;
  -- audit rows of a tenant carry its own name in `tenant`, so filtering by tenant finds them
  scope      text := CASE WHEN TG_ARGV[0] = 'Tenant' THEN key_row->>'name' ELSE tenant END;
  note       jsonb;
BEGIN
  IF coalesce(current_setting('plumb.sync_run', true), '') <> '' THEN
    RETURN NULL;
  END IF;
  note := jsonb_build_object('kind', TG_ARGV[0], 'tenant', tenant, 'workspace', coalesce(key_row->>'workspace', ''),
                             'name', key_row->>'name', 'op', op);
  IF TG_OP = 'UPDATE' AND (before_row->>'name' IS DISTINCT FROM after_row->>'name'
                           OR before_row->>'tenant' IS DISTINCT FROM after_row->>'tenant'
                           OR before_row->>'workspace' IS DISTINCT FROM after_row->>'workspace') THEN
    note := note || jsonb_build_object('previous', jsonb_build_object(
      'tenant', CASE WHEN TG_ARGV[0] = 'Tenant' THEN '' ELSE coalesce(before_row->>'tenant', '') END,
      'workspace', coalesce(before_row->>'workspace', ''), 'name', before_row->>'name'));
  END IF;
  PERFORM pg_notify('plumb_changes', note::text);
  INSERT INTO @schema@.audit_log (actor, actor_type, action, kind, tenant, workspace, name, diff, prev_hash, hash)
  VALUES (current_user || coalesce('/' || nullif(current_setting('application_name', true), ''), ''), 'database',
          TG_ARGV[1] || '.' || CASE op WHEN 'insert' THEN 'create' ELSE op END, TG_ARGV[0], scope,
          coalesce(key_row->>'workspace', ''), key_row->>'name',
          jsonb_build_object('before', before_row, 'after', after_row, 'outOfBand', true), '', '');
  RETURN NULL;
END
$$;
