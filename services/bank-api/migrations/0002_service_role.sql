-- The service's own login, bank_api, with only the privileges the service's queries use. Migrations
-- run as the owner of the schema (the master login, used only by the migration Job); the service
-- connects as bank_api: with an IAM token in AWS (rds_iam), with a password elsewhere. Neither
-- credential is set here.
--
-- Roles belong to the whole server, not to one database: many databases on one server (the test
-- suites, possibly at the same moment) run this migration, so creating the role tolerates another
-- database's migration creating it first.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bank_api') THEN
    BEGIN
      CREATE ROLE bank_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION
      -- duplicate_object when the other creation committed first; unique_violation when both passed
      -- the existence check and this one waited on pg_authid's unique index.
      WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END
$$;

-- Aurora: membership in rds_iam makes the login accept IAM authentication tokens (and only those).
DO $$
BEGIN
  -- Nested: pg_has_role raises for a role that does not exist, and AND may evaluate it first.
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam') THEN
    IF NOT pg_catalog.pg_has_role('bank_api', 'rds_iam', 'MEMBER') THEN
      BEGIN
        GRANT rds_iam TO bank_api;
      EXCEPTION
        WHEN unique_violation THEN NULL; -- granted by another database's migration at the same moment
      END;
    END IF;
  END IF;
END
$$;

-- A role that already existed must be what the grants below assume: a plain login that owns
-- nothing here and inherits nobody's privileges (rds_iam aside). Otherwise stop instead of
-- pretending the service runs with least privilege.
DO $$
DECLARE
  v_role pg_catalog.pg_roles%ROWTYPE;
  v_nsp  oid := (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema());
BEGIN
  SELECT * INTO v_role FROM pg_catalog.pg_roles WHERE rolname = 'bank_api';
  IF v_role.rolsuper OR v_role.rolcreaterole OR v_role.rolcreatedb OR v_role.rolreplication
     OR v_role.rolbypassrls OR NOT v_role.rolcanlogin THEN
    RAISE EXCEPTION 'role bank_api must be a plain LOGIN role (no SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS)'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
              WHERE m.member = v_role.oid AND r.rolname <> 'rds_iam') THEN
    RAISE EXCEPTION 'role bank_api must not be a member of other roles (rds_iam aside)'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = current_database() AND datdba = v_role.oid)
     OR EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE oid = v_nsp AND nspowner = v_role.oid)
     OR EXISTS (SELECT FROM pg_catalog.pg_class WHERE relnamespace = v_nsp AND relowner = v_role.oid)
     OR EXISTS (SELECT FROM pg_catalog.pg_proc WHERE pronamespace = v_nsp AND proowner = v_role.oid) THEN
    RAISE EXCEPTION 'role bank_api must not own the database, the schema or anything in it'
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
END
$$;

-- Start from nothing, whatever was granted by hand before, then grant exactly what the service uses.
-- The database is the bank's alone: other roles (PUBLIC) may neither connect nor create temporary
-- tables; the owner and superusers keep their rights.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC, bank_api', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO bank_api', current_database());
  -- PostgreSQL < 15 lets PUBLIC create objects in the public schema.
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM bank_api', current_schema());
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO bank_api', current_schema());
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM bank_api', current_schema());
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM bank_api', current_schema());
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM bank_api', current_schema());
END
$$;

-- /readyz reads the applied version; the service's start checks that no migration is pending.
GRANT SELECT ON schema_migrations TO bank_api;
-- Reads of accounts, transfers and entries; opening an account names only the customer and the
-- currency (id, kind, balance and created_at come from their defaults, so the service cannot open a
-- clearing account or one with a balance). No UPDATE or DELETE anywhere, nothing on currencies or
-- idempotency_keys: every change of money, balances, entries and keys happens inside post_transfer.
GRANT SELECT ON accounts, transfers, entries TO bank_api;
GRANT INSERT (customer_id, currency) ON accounts TO bank_api;

-- post_transfer runs with its owner's rights (SECURITY DEFINER), so the caller needs no privilege on
-- the tables it writes. The deferred balance triggers fire at COMMIT, after post_transfer returned,
-- with the caller's rights: they run as their owner too. A fixed search_path (the schema, then
-- pg_temp explicitly last) keeps a caller's objects from standing in for the ledger's inside them.
DO $$
DECLARE
  v_path text := format('%I, pg_temp', current_schema());
BEGIN
  EXECUTE format('ALTER FUNCTION post_transfer(text, text, text, text, uuid, uuid, bigint, text) SECURITY DEFINER SET search_path = %s', v_path);
  EXECUTE format('ALTER FUNCTION transfer_balanced_after_transfer() SECURITY DEFINER SET search_path = %s', v_path);
  EXECUTE format('ALTER FUNCTION transfer_balanced_after_entry() SECURITY DEFINER SET search_path = %s', v_path);
  EXECUTE format('ALTER FUNCTION assert_transfer_balanced(uuid) SET search_path = %s', v_path);
  EXECUTE format('ALTER FUNCTION forbid_ledger_rewrite() SET search_path = %s', v_path);
END
$$;

-- Functions are executable by PUBLIC unless revoked: only post_transfer is the service's to call.
REVOKE ALL ON FUNCTION
  post_transfer(text, text, text, text, uuid, uuid, bigint, text),
  assert_transfer_balanced(uuid),
  forbid_ledger_rewrite(),
  transfer_balanced_after_transfer(),
  transfer_balanced_after_entry()
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION post_transfer(text, text, text, text, uuid, uuid, bigint, text) TO bank_api;

-- Functions that later migrations create are not executable by PUBLIC either: each migration grants
-- bank_api what the service needs, explicitly.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
