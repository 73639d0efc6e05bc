-- Stand-in schema for the API tests until the store's migrations (schemas/db/) land: the tables
-- and columns TEAM.md names, as the API reads them. Replace by the store's migrate when it exists.
CREATE SCHEMA plumb;
SET search_path TO plumb;
CREATE TABLE tenants (name text PRIMARY KEY, display_name text, plan text, status text DEFAULT 'active', admin_email text,
  labels jsonb DEFAULT '{}', annotations jsonb DEFAULT '{}', managed_by text, source_file text, source_commit text, spec_hash text,
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), deleted_at timestamptz);
CREATE TABLE workspaces (tenant text REFERENCES tenants, name text, display_name text, capabilities text[] DEFAULT '{}',
  labels jsonb DEFAULT '{}', annotations jsonb DEFAULT '{}', deleted_at timestamptz, PRIMARY KEY (tenant, name));
CREATE TABLE pipelines (tenant text, workspace text, name text, description text, enabled bool, source jsonb, integrations jsonb, transformations jsonb,
  PRIMARY KEY (tenant, workspace, name));
CREATE TABLE roles (tenant text, name text, description text, permissions text[], PRIMARY KEY (tenant, name));
CREATE TABLE api_tokens (tenant text, name text, description text, role text, ttl text, expires_at timestamptz, rotation int DEFAULT 0,
  secret_hash text, PRIMARY KEY (tenant, name));
CREATE TABLE audit_log (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), actor text, action text, kind text, tenant text, name text,
  details jsonb, prev_hash text, hash text);
CREATE TABLE sync_runs (id bigserial PRIMARY KEY, trigger text, commit text, status text, plan jsonb, error text, started_at timestamptz, finished_at timestamptz);
CREATE TABLE drift_items (kind text, tenant text, workspace text DEFAULT '', name text, type text, fields jsonb, detected_at timestamptz DEFAULT now(),
  PRIMARY KEY (kind, tenant, workspace, name));
CREATE TABLE state_revision (revision bigint);
INSERT INTO state_revision VALUES (1);
