-- Seed rows for bench/api_bench.sh: 3 tenants, 500 workspaces in acme, 200 drift items.
SET search_path TO plumb;
INSERT INTO tenants (name, display_name, plan, status, admin_email)
  SELECT t, initcap(t), 'growth', 'active', 'admin@' || t || '.example.com' FROM unnest(ARRAY['acme', 'globex', 'initech']) t;
INSERT INTO workspaces (tenant, name, display_name)
  SELECT 'acme', 'ws-' || lpad(i::text, 4, '0'), 'Workspace ' || i FROM generate_series(1, 500) i;
INSERT INTO drift_items (kind, tenant, workspace, name, type, fields)
  SELECT 'Workspace', 'acme', '', 'ws-' || lpad(i::text, 4, '0'), (ARRAY['missing', 'modified', 'unmanaged', 'orphaned'])[1 + i % 4], '[]'
  FROM generate_series(1, 200) i;
