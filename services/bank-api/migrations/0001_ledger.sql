-- The double-entry ledger. Money is bigint minor units. The rules that keep money safe live here as
-- constraints and triggers, so no code path (or hand-run SQL) can break them.

CREATE TABLE currencies (
  code        char(3)  PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 4)
);

INSERT INTO currencies (code, minor_units) VALUES
  ('EUR', 2), ('USD', 2), ('GBP', 2), ('CHF', 2), ('SEK', 2), ('NOK', 2), ('DKK', 2), ('PLN', 2), ('CZK', 2), ('JPY', 0);

-- 10^15 minor units: far above any real balance, far below 2^53 so JSON numbers stay exact.
CREATE DOMAIN money_minor AS bigint CHECK (VALUE BETWEEN -1000000000000000 AND 1000000000000000);

CREATE TABLE accounts (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id text        NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 128),
  kind        text        NOT NULL DEFAULT 'customer' CHECK (kind IN ('customer', 'clearing')),
  currency    char(3)     NOT NULL REFERENCES currencies (code),
  balance     money_minor NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- The bank's clearing accounts mirror money held outside the ledger and go negative by design.
  CONSTRAINT customer_balance_not_negative CHECK (kind <> 'customer' OR balance >= 0)
);
CREATE INDEX accounts_by_customer ON accounts (customer_id, created_at, id);
CREATE UNIQUE INDEX one_clearing_account_per_currency ON accounts (currency) WHERE kind = 'clearing';

INSERT INTO accounts (customer_id, kind, currency)
SELECT 'bank:clearing', 'clearing', code FROM currencies;

CREATE TABLE transfers (
  id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  kind            text        NOT NULL CHECK (kind IN ('transfer', 'deposit')),
  customer_id     text        NOT NULL,
  from_account_id uuid        NOT NULL REFERENCES accounts (id),
  to_account_id   uuid        NOT NULL REFERENCES accounts (id),
  amount          money_minor NOT NULL CHECK (amount > 0),
  currency        char(3)     NOT NULL REFERENCES currencies (code),
  reference       text        CHECK (reference IS NULL OR length(reference) <= 140),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT transfer_between_two_accounts CHECK (from_account_id <> to_account_id)
);
CREATE INDEX transfers_by_customer ON transfers (customer_id, created_at);

CREATE TABLE entries (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transfer_id   uuid        NOT NULL REFERENCES transfers (id),
  account_id    uuid        NOT NULL REFERENCES accounts (id),
  amount        money_minor NOT NULL CHECK (amount <> 0),
  balance_after money_minor NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entries_by_account ON entries (account_id, id DESC);
CREATE INDEX entries_by_transfer ON entries (transfer_id);

-- An idempotency key is claimed inside the transaction that moves the money, so the key and the
-- money commit (or roll back) together. A second request with the same key waits on the unique
-- index until the first one finishes.
CREATE TABLE idempotency_keys (
  customer_id  text        NOT NULL,
  key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash text        NOT NULL,
  status_code  smallint,
  response     jsonb,
  transfer_id  uuid        REFERENCES transfers (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, key)
);

-- Ledger rows are facts: never updated, never deleted.
CREATE FUNCTION forbid_ledger_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
  FOR EACH ROW EXECUTE FUNCTION forbid_ledger_rewrite();
CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
  FOR EACH ROW EXECUTE FUNCTION forbid_ledger_rewrite();

-- Checked at COMMIT: every transfer is exactly one debit of the source and one credit of the
-- destination for its amount, so entries always sum to zero. Fired by both tables, so neither a
-- transfer without entries nor an extra entry on an old transfer can commit.
CREATE FUNCTION assert_transfer_balanced(p_transfer_id uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_ok boolean;
BEGIN
  SELECT count(e.id) = 2
         AND coalesce(sum(e.amount), 0) = 0
         AND coalesce(bool_and((e.account_id = t.from_account_id AND e.amount = -t.amount)
                            OR (e.account_id = t.to_account_id AND e.amount = t.amount)), false)
    INTO v_ok
    FROM transfers t
    LEFT JOIN entries e ON e.transfer_id = t.id
   WHERE t.id = p_transfer_id;
  IF NOT coalesce(v_ok, false) THEN
    RAISE EXCEPTION 'transfer % is not balanced', p_transfer_id USING ERRCODE = 'check_violation';
  END IF;
END;
$$;
CREATE FUNCTION transfer_balanced_after_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_transfer_balanced(NEW.id);
  RETURN NULL;
END;
$$;
CREATE FUNCTION transfer_balanced_after_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM assert_transfer_balanced(NEW.transfer_id);
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER transfer_balanced AFTER INSERT ON transfers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transfer_balanced_after_transfer();
CREATE CONSTRAINT TRIGGER entry_balanced AFTER INSERT ON entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transfer_balanced_after_entry();

-- Posts a transfer or a deposit in one statement (one round trip, one implicit transaction).
-- Row locks are taken in id order so two opposite transfers can never deadlock.
-- Outcomes: completed (201), replayed (stored status), idempotency_conflict (409), not_found (404),
-- currency_mismatch (422), insufficient_funds (422). Only completed outcomes keep their key:
-- a rejected request leaves no trace and may be retried with the same key.
CREATE FUNCTION post_transfer(
  p_customer  text,
  p_key       text,
  p_hash      text,
  p_kind      text,
  p_from      uuid,
  p_to        uuid,
  p_amount    bigint,
  p_reference text
) RETURNS TABLE (outcome text, status_code integer, body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_existing idempotency_keys%ROWTYPE;
  v_from     accounts%ROWTYPE;
  v_to       accounts%ROWTYPE;
  v_row      accounts%ROWTYPE;
  v_id       uuid;
  v_created  timestamptz;
  v_from_bal bigint;
  v_to_bal   bigint;
  v_body     jsonb;
  v_outcome  text;
  v_status   integer;
  v_detail   jsonb;
BEGIN
  INSERT INTO idempotency_keys (customer_id, key, request_hash)
  VALUES (p_customer, p_key, p_hash)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    SELECT * INTO v_existing FROM idempotency_keys WHERE customer_id = p_customer AND key = p_key;
    IF v_existing.request_hash <> p_hash OR v_existing.status_code IS NULL THEN
      RETURN QUERY SELECT 'idempotency_conflict'::text, 409, NULL::jsonb;
    ELSE
      RETURN QUERY SELECT 'replayed'::text, v_existing.status_code::integer, v_existing.response;
    END IF;
    RETURN;
  END IF;

  IF p_kind = 'deposit' THEN
    SELECT a.id INTO p_from
      FROM accounts a
      JOIN accounts dest ON dest.id = p_to AND dest.customer_id = p_customer AND dest.kind = 'customer'
     WHERE a.kind = 'clearing' AND a.currency = dest.currency;
  END IF;

  FOR v_row IN SELECT * FROM accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE LOOP
    IF v_row.id = p_from THEN v_from := v_row; ELSE v_to := v_row; END IF;
  END LOOP;

  IF p_kind = 'deposit' AND p_from IS NULL THEN
    v_outcome := 'not_found'; v_status := 404; v_detail := jsonb_build_object('account', 'to');
  ELSIF v_from.id IS NULL OR (p_kind = 'transfer' AND (v_from.customer_id <> p_customer OR v_from.kind <> 'customer')) THEN
    v_outcome := 'not_found'; v_status := 404; v_detail := jsonb_build_object('account', 'from');
  ELSIF v_to.id IS NULL OR v_to.kind <> 'customer' THEN
    v_outcome := 'not_found'; v_status := 404; v_detail := jsonb_build_object('account', 'to');
  ELSIF v_from.currency <> v_to.currency THEN
    v_outcome := 'currency_mismatch'; v_status := 422;
    v_detail := jsonb_build_object('fromCurrency', v_from.currency, 'toCurrency', v_to.currency);
  ELSIF v_from.kind = 'customer' AND v_from.balance < p_amount THEN
    v_outcome := 'insufficient_funds'; v_status := 422;
  END IF;
  IF v_outcome IS NOT NULL THEN
    -- Rejected: release the key so nothing of this request remains.
    DELETE FROM idempotency_keys WHERE customer_id = p_customer AND key = p_key;
    RETURN QUERY SELECT v_outcome, v_status, v_detail;
    RETURN;
  END IF;

  INSERT INTO transfers (kind, customer_id, from_account_id, to_account_id, amount, currency, reference)
  VALUES (p_kind, p_customer, v_from.id, v_to.id, p_amount, v_from.currency, p_reference)
  RETURNING id, created_at INTO v_id, v_created;

  UPDATE accounts SET balance = balance - p_amount WHERE id = v_from.id RETURNING balance INTO v_from_bal;
  UPDATE accounts SET balance = balance + p_amount WHERE id = v_to.id RETURNING balance INTO v_to_bal;

  INSERT INTO entries (transfer_id, account_id, amount, balance_after)
  VALUES (v_id, v_from.id, -p_amount, v_from_bal), (v_id, v_to.id, p_amount, v_to_bal);

  v_body := jsonb_build_object(
    'id', v_id,
    'kind', p_kind,
    'amount', p_amount,
    'currency', v_from.currency,
    'reference', p_reference,
    'createdAt', to_char(v_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  ) || CASE p_kind
         WHEN 'deposit' THEN jsonb_build_object('accountId', v_to.id, 'balance', v_to_bal)
         ELSE jsonb_build_object('fromAccountId', v_from.id, 'toAccountId', v_to.id)
       END;

  UPDATE idempotency_keys SET status_code = 201, response = v_body, transfer_id = v_id
   WHERE customer_id = p_customer AND key = p_key;

  RETURN QUERY SELECT 'completed'::text, 201, v_body;
END;
$$;
